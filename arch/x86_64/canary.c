/* The stack protector's canary. The kernel is built with
 * -fstack-protector-strong -mstack-protector-guard=global: every function
 * with an array or an address-taken local checks __stack_chk_guard before
 * it returns. The value comes from the entropy pool (arch/x86_64/entropy.c),
 * seeded here, first thing in kernel_main. */
#include "arch/x86_64/canary.h"
#include "arch/x86_64/entropy.h"
#include "arch/x86_64/panic.h"

uint64_t __stack_chk_guard = 0x595e9fbd94fda766ULL; /* replaced before it matters */

const char *entropy_source = "none";

/* Must not itself be protected: it changes the value its own epilogue would
 * check. entropy_init returns before the guard changes, so it may be. */
static __attribute__((no_stack_protector)) void set_guard(void) {
    uint64_t v = entropy_u64();
    v &= ~0xffULL; /* a zero low byte stops string overflows from copying it out */
    __stack_chk_guard = v ? v : 0x1234567800ULL;
}

__attribute__((no_stack_protector)) void canary_init(void) {
    entropy_init();
    entropy_source = entropy_sources();
    set_guard();
}

/* Safe only where no frame that is still going to return was entered under
 * the old guard: such a frame would find its slot holding the old value and
 * panic. kernel_main and kernel_main_stage2 never return (their callee
 * kstack_boot_switch and shell_main are noreturn), and no other kernel
 * thread exists yet, so calling this straight from them is safe; this
 * function and set_guard are unprotected, entropy_u64 returns before the
 * guard changes. */
__attribute__((no_stack_protector)) void canary_rekey(void) {
    entropy_source = entropy_sources();
    set_guard();
}

__attribute__((noreturn)) void __stack_chk_fail(void);
__attribute__((noreturn)) void __stack_chk_fail(void) {
    panic("stack smashing detected (canary overwritten)");
}

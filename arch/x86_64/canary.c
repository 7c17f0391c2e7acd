/* The stack protector's canary. The kernel is built with
 * -fstack-protector-strong -mstack-protector-guard=global: every function
 * with an array or an address-taken local checks __stack_chk_guard before
 * it returns. The value comes from arch/x86_64/entropy.c. */
#include "arch/x86_64/canary.h"
#include "arch/x86_64/entropy.h"
#include "arch/x86_64/panic.h"

uint64_t __stack_chk_guard = 0x595e9fbd94fda766ULL; /* replaced before it matters */

/* Must not itself be protected: it changes the value its own epilogue would check. */
__attribute__((no_stack_protector)) void canary_init(void) {
    uint64_t v = entropy_early_u64();
    v &= ~0xffULL; /* a zero low byte stops string overflows from copying it out */
    __stack_chk_guard = v ? v : 0x1234567800ULL;
}

__attribute__((noreturn)) void __stack_chk_fail(void);
__attribute__((noreturn)) void __stack_chk_fail(void) {
    panic("stack smashing detected (canary overwritten)");
}

/* Per-CPU data (one CPU for now). Reached from the SYSCALL entry through
 * KERNEL_GS_BASE; the offsets are fixed because syscall_entry.asm uses them. */
#ifndef ARCH_X86_64_PERCPU_H
#define ARCH_X86_64_PERCPU_H
#include <stdint.h>
#include "arch/x86_64/gdt.h"

struct percpu {
    uint64_t kernel_rsp; /* offset 0: top of the current task's kernel stack */
    uint64_t user_rsp;   /* offset 8: scratch for the user rsp during entry */
    uint64_t fs_base;    /* offset 16: the FS base context_switch loads for the next task */
    uint64_t fs_reload;  /* offset 24: non-zero when it must (either task's base is not 0) */
    uint64_t user_work;  /* offset 32: nonzero = call the user-return hook before entering ring 3 */
};

_Static_assert(__builtin_offsetof(struct percpu, fs_base) == 16, "switch.asm reads fs_base at 16");
_Static_assert(__builtin_offsetof(struct percpu, fs_reload) == 24, "switch.asm reads fs_reload at 24");
_Static_assert(__builtin_offsetof(struct percpu, user_work) == 32, "isr.asm and syscall_entry.asm read user_work at 32");

extern struct percpu percpu0;

void syscall_init(void);             /* STAR/LSTAR/FMASK, EFER.SCE, the INT 0x80 gate */
/* TSS.rsp0 and the SYSCALL stack together (on every task switch: inline). */
static inline void cpu_set_kernel_stack(uint64_t top) {
    tss_set_rsp0(top);
    percpu0.kernel_rsp = top;
}

#endif

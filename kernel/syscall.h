#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H
#include <stdint.h>
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/cpu.h"
#include "secos/syscall.h"

void syscall_dispatch(struct trapframe *tf);
void syscall_bad_return(struct trapframe *tf) __attribute__((noreturn));
extern const char *const syscall_names[SYS_COUNT];
extern uint64_t syscall_counts[2];

/* Syscalls run with interrupts on (they may block); the entry paths arrive
 * with them off. */
static inline void cpu_enable_interrupts_in_syscall(void) { cpu_sti(); }

#endif

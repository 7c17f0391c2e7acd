/* What the entry code needs from the layers above it, registered at init.
 * arch/ decides nothing about processes, memory or system calls: it saves
 * the frame, asks these hooks, and panics only when none of them claims a
 * ring-0 fault. Every hook is set once during boot, before interrupts are on. */
#ifndef ARCH_X86_64_TRAP_HOOKS_H
#define ARCH_X86_64_TRAP_HOOKS_H
#include <stdint.h>

struct trapframe;

/* A system call (INT 0x80 or SYSCALL): the frame holds the number and the
 * arguments and receives the result. */
typedef void (*syscall_handler_fn)(struct trapframe *tf);
/* The return address of a system call is not a canonical user address (a
 * SYSRET/IRETQ there would fault in ring 0): the hook must not return. */
typedef void (*bad_return_fn)(struct trapframe *tf) __attribute__((noreturn));
/* An exception in ring 3: the process's problem. Returns only if the fault
 * was resolved (the instruction is retried). */
typedef void (*user_fault_fn)(struct trapframe *tf, uint64_t cr2);
/* A page fault the memory manager may resolve (demand-zero): 1 if it did. */
typedef int (*page_fault_fn)(uint64_t addr, uint64_t error);
/* Which guarded kernel stack's guard page addr is in, or -1. */
typedef int (*stack_guard_fn)(uint64_t addr);

/* Runs on every return to ring 3 (interrupt, exception, SYSCALL, a new
 * process's first entry) while percpu0.user_work is nonzero, with tf the
 * user frame it may rewrite (signal delivery) or never return from (the
 * process dies). Returns with interrupts off; the exit then goes through
 * IRETQ, which restores every register of the frame. */
typedef void (*user_return_fn)(struct trapframe *tf);
void trap_set_user_return_hook(user_return_fn fn);
extern user_return_fn trap_user_return_hook; /* read by the entry stubs */

/* fn serves SYSCALL, int80 serves INT 0x80 (they may differ: not every
 * personality takes INT 0x80). */
void trap_set_syscall_handler(syscall_handler_fn fn, syscall_handler_fn int80, bad_return_fn bad_return);
extern syscall_handler_fn trap_syscall_handler; /* read by the entry stubs */
void trap_set_user_fault_handler(user_fault_fn fn);
void trap_set_page_fault_resolver(page_fault_fn fn);
void trap_set_stack_guard_check(stack_guard_fn fn);

/* System calls counted by entry kind: [0] INT 0x80, [1] SYSCALL. */
extern uint64_t syscall_entry_counts[2];

#endif

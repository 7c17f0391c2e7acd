/* What happens when a program faults: the policy the entry code in arch/
 * asks for through trap_set_user_fault_handler(). */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H
#include <stdint.h>

struct trapframe;

/* An exception in ring 3: resolves a demand-zero page (and returns), or
 * kills the current process with the reason and switches away. */
void trap_user_fault(struct trapframe *tf, uint64_t cr2);

#endif

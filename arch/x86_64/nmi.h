/* Non-maskable interrupts (vector 2, on its own IST stack) and machine checks
 * (vector 18, IST too). Neither is a fault of the code it interrupts: an NMI
 * comes from outside (NMI button, BMC, watchdog, IOCHK/SERR) and a machine
 * check from the hardware, so neither may kill the interrupted process. */
#ifndef ARCH_X86_64_NMI_H
#define ARCH_X86_64_NMI_H
#include <stdint.h>
#include "arch/x86_64/trapframe.h"

/* Reads and clears the reason (system control port B, 0x61), logs, returns. */
void nmi_handle(struct trapframe *tf);
uint64_t nmi_count(void);

/* CR4.MCE (and the banks' enables) when CPUID has MCE/MCA; before sti. */
void mce_init(void);
/* Reports every valid bank; returns when the interrupted context can go on
 * (RIPV set, no processor-context-corrupt error), panics otherwise. */
void mce_handle(struct trapframe *tf);

#endif

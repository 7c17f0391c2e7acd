#ifndef ARCH_X86_64_IDT_H
#define ARCH_X86_64_IDT_H
#include <stdint.h>

#define IRQ_BASE 32 /* legacy PIC IRQ 0..15 -> vectors 32..47 */

void idt_init(void);
/* The table (for an alias mapping) and IDTR pointed at va, an alias of it. */
void idt_table(const void **base, uint64_t *size);
void idt_load_alias(uint64_t va);
/* dpl 3 lets user code raise the vector with INT n (the syscall gate). */
void idt_set_gate(int vector, uint64_t handler, int ist, int dpl);
const void *idt_base(void);

#endif

#ifndef ARCH_X86_64_PIC_H
#define ARCH_X86_64_PIC_H
#include <stdint.h>

void pic_init(void);              /* remap to vectors 32..47, everything masked */
void pic_unmask(int irq);
void pic_mask(int irq);
void pic_eoi(int irq);
int pic_is_spurious(int irq);     /* IRQ 7/15 raised without the ISR bit set */

#endif

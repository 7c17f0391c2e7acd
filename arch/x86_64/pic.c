/* The legacy 8259A pair. The BIOS leaves them on vectors 8..15, which collide
 * with CPU exceptions, so they are remapped to 32..47 before interrupts are on. */
#include "arch/x86_64/pic.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/idt.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

void pic_init(void) {
    outb(PIC1_CMD, 0x11); io_wait(); /* ICW1: init, expect ICW4 */
    outb(PIC2_CMD, 0x11); io_wait();
    outb(PIC1_DATA, IRQ_BASE); io_wait();
    outb(PIC2_DATA, IRQ_BASE + 8); io_wait();
    outb(PIC1_DATA, 4); io_wait();   /* slave on IRQ2 */
    outb(PIC2_DATA, 2); io_wait();
    outb(PIC1_DATA, 1); io_wait();   /* 8086 mode */
    outb(PIC2_DATA, 1); io_wait();
    outb(PIC1_DATA, 0xfb);           /* all masked but the cascade */
    outb(PIC2_DATA, 0xff);
}

void pic_unmask(int irq) {
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
}

void pic_mask(int irq) {
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) | (uint8_t)(1u << (irq & 7)));
}

void pic_eoi(int irq) {
    if (irq >= 8) outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}

int pic_is_spurious(int irq) {
    if (irq != 7 && irq != 15) return 0;
    uint16_t cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
    outb(cmd, 0x0b); /* read ISR */
    if (inb(cmd) & 0x80) return 0;
    if (irq == 15) outb(PIC1_CMD, 0x20); /* the master did see the cascade */
    return 1;
}

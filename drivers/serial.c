/* COM1 (16550A). Output is polled with a bounded wait so a missing or stuck
 * UART slows printing down instead of hanging the kernel; input arrives on
 * IRQ4 and goes to the console input queue. */
#include "drivers/serial.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/trapframe.h"
#include "kernel/input.h"
#include "lib/console_out.h"

#define COM1 0x3F8
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static int present;

int serial_present(void) { return present; }

/* Serial terminals want CR LF; clear is the ANSI clear + home. */
static void serial_sink_putc(char c) {
    if (c == '\n') serial_putc('\r');
    serial_putc(c);
}

static void serial_sink_clear(void) {
    for (const char *ansi = "\033[2J\033[H"; *ansi; ansi++) serial_putc(*ansi);
}

static const struct console_sink serial_sink = {
    .name = "serial", .putc = serial_sink_putc, .putc_raw = serial_putc, .clear = serial_sink_clear, .flags = CONSOLE_SINK_MARKERS,
};

int serial_init(void) {
    outb(COM1 + 1, 0x00);   /* no interrupts yet */
    outb(COM1 + 3, 0x80);   /* DLAB on */
    outb(COM1 + 0, 0x01);   /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8N1, DLAB off */
    outb(COM1 + 2, 0xC7);   /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + 4, 0x0B);   /* DTR, RTS, OUT2 (OUT2 gates the IRQ line) */
    /* Scratch register round trip: absent UARTs read back 0xFF. */
    outb(COM1 + 7, 0x5A);
    present = inb(COM1 + 7) == 0x5A;
    if (!present) return -1;
    console_add_sink(&serial_sink);
    return 0;
}

void serial_putc(char c) {
    if (!present) return;
    for (int spins = 0; spins < 100000; spins++)
        if (inb(COM1 + 5) & LSR_THR_EMPTY) break;
    outb(COM1, (uint8_t)c);
}


static int rx_paused;

/* Moves received bytes into the console ring while it has room. When the
 * ring is full the receive interrupt is masked and the rest stays in the
 * UART (QEMU then holds the sender back): input is delayed, never dropped. */
static void serial_irq(struct trapframe *tf) {
    (void)tf;
    for (int n = 0; n < 64 && (inb(COM1 + 5) & LSR_DATA_READY); n++) { /* bounded: a stuck LSR */
        if (console_input_room() == 0) {
            rx_paused = 1;
            outb(COM1 + 1, 0x00);
            return;
        }
        console_input_push(inb(COM1));
    }
}

void serial_resume_rx(void) {
    if (!rx_paused) return;
    rx_paused = 0;
    serial_irq(0);
    if (!rx_paused) outb(COM1 + 1, 0x01);
}

void serial_enable_rx_irq(void) {
    if (!present) return;
    irq_register(4, serial_irq);
    console_input_set_resume_hook(serial_resume_rx);
    outb(COM1 + 1, 0x01); /* interrupt on received data */
    /* Bytes that arrived before the IRQ was on would never raise it. */
    serial_irq(0);
    pic_unmask(4);
}

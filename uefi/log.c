/* Console + serial output for the loader. See log.h. */
#include <stdarg.h>
#include "uefi/log.h"

#define COM1 0x3f8

static SIMPLE_TEXT_OUTPUT_INTERFACE *conout;

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* 115200 8N1, FIFOs on, no interrupts. The firmware's own serial console
 * uses the same settings, so re-programming does not garble its output. */
static void uart_init(void)
{
    outb(COM1 + 1, 0x00);   /* IER: no interrupts */
    outb(COM1 + 3, 0x80);   /* LCR: DLAB on to set the divisor */
    outb(COM1 + 0, 0x01);   /* divisor 1 = 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8 data bits, no parity, 1 stop bit, DLAB off */
    outb(COM1 + 2, 0xc7);   /* FCR: enable and clear FIFOs */
    outb(COM1 + 4, 0x03);   /* MCR: DTR + RTS */
}

static void uart_putc(char c)
{
    /* Bounded wait for THR empty: a missing UART must not hang the loader. */
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        ;
    outb(COM1, (uint8_t)c);
}

/* Characters are batched into a small UCS-2 buffer for OutputString. */
static CHAR16 cbuf[128];
static int clen;

static void con_flush(void)
{
    if (conout && clen) {
        cbuf[clen] = 0;
        conout->OutputString(conout, cbuf);
    }
    clen = 0;
}

/* While boot services run the text goes to the firmware console only: the
 * firmware mirrors that console to COM1 itself (OVMF does), so writing the
 * UART as well printed every line twice on serial. Afterwards (and before
 * log_init) the UART is the only output. */
static void put(char c)
{
    if (c == '\n')
        put('\r');
    if (!conout) {
        uart_putc(c);
        return;
    }
    if (clen == (int)(sizeof(cbuf) / sizeof(cbuf[0])) - 1)
        con_flush();
    cbuf[clen++] = (CHAR16)(uint8_t)c;
}

void log_init(SIMPLE_TEXT_OUTPUT_INTERFACE *con)
{
    uart_init();
    conout = con;
}

void log_console_off(void)
{
    con_flush();
    conout = 0;
}

static void put_num(uint64_t v, unsigned base)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        put(tmp[--n]);
}

void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt);
            continue;
        }
        switch (*++fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                put(*s);
            break;
        }
        case 'u': put_num(va_arg(ap, uint64_t), 10); break;
        case 'x': put_num(va_arg(ap, uint64_t), 16); break;
        case 'c': put((char)va_arg(ap, int)); break;
        case '%': put('%'); break;
        case 0: fmt--; break; /* lone '%' at the end */
        default: put('%'); put(*fmt); break;
        }
    }
    va_end(ap);
    con_flush();
}

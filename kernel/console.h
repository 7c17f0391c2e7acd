/* The kernel console: one kprintf that reaches every output device (serial,
 * debugcon, VGA text or framebuffer), and one input queue fed by the serial
 * port and the PS/2 keyboard from their interrupt handlers. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H
#include <stdint.h>

void console_init(void);                 /* serial + debugcon; safe before paging */
void console_init_display(void);         /* VGA text or framebuffer, from boot info */
void console_putc(char c);
void console_write(const char *s, uint64_t n);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_clear(void);
/* VGA palette indices 0..15 for foreground and background. */
void console_set_color(uint8_t fg, uint8_t bg);
void console_reset_color(void);
const char *console_display_name(void);  /* "vga-text", "framebuffer 1024x768x32", "none" */

/* Input: called from interrupt context. */
void console_input_push(uint8_t byte);
uint32_t console_input_room(void);       /* free bytes in the input ring */
/* Blocks (hlt) until a byte is available. */
uint8_t console_getc(void);
int console_try_getc(uint8_t *byte);

/* Marker lines for tests: written to serial and debugcon only. */
void console_marker(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

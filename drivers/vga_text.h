/* VGA text mode (80x25 at physical 0xB8000), the display when no linear
 * framebuffer was handed over (Multiboot 1, or a Multiboot 2 EGA-text tag). */
#ifndef DRIVERS_VGA_TEXT_H
#define DRIVERS_VGA_TEXT_H
#include <stdint.h>

void vga_text_init(void *base, uint32_t cols, uint32_t rows); /* base: mapped 0xB8000 */
void vga_text_putc(char c);      /* handles \n \r \b \t, wraps and scrolls */
void vga_text_clear(void);
void vga_text_set_color(uint8_t fg, uint8_t bg);

#endif

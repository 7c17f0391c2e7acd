/* Framebuffer text console: a PSF bitmap font drawn into a linear 32-bpp
 * framebuffer (GOP on UEFI, the Multiboot 2 framebuffer under GRUB). */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H
#include <stdint.h>
#include "secos/boot_info.h"

/* base: virtual address where fb->addr is mapped. Returns 0, or -1 if the mode
 * is unusable (not 32 bpp RGB, zero size). */
int fbcon_init(void *base, const struct secos_framebuffer *fb);
void fbcon_putc(char c);
void fbcon_clear(void);
void fbcon_set_color(uint8_t fg, uint8_t bg); /* VGA palette indices */
uint32_t fbcon_cols(void);
uint32_t fbcon_rows(void);

#endif

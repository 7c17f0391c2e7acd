/* The one display the kernel draws on: the framebuffer console when the
 * loader set up an RGB mode, VGA text otherwise (never under UEFI, which has
 * no text mode to write to). Registered as a console sink. */
#ifndef DRIVERS_DISPLAY_H
#define DRIVERS_DISPLAY_H

void display_init(void);               /* after paging: maps through the physmap */
#include <stdint.h>

const char *display_name(void);        /* "vga-text 80x25", "framebuffer 1024x768x32", "none" */
/* The text grid in character cells: 0, or -1 without a display. */
int display_cells(uint32_t *cols, uint32_t *rows);

#endif

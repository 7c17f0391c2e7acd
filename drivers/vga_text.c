/* VGA text mode console: a cols x rows array of 16-bit cells at 0xB8000,
 * low byte = character (code page 437), high byte = attribute (bg << 4 | fg).
 *
 * The cursor wraps as soon as the last column is written, and '\b' at column 0
 * goes back to the end of the previous line, so the shell's "\b \b" erase
 * also works across a wrapped line. Not re-entrant: the console layer
 * serialises callers. */
#include "drivers/vga_text.h"
#include "arch/x86_64/io.h"
#include "lib/string.h"

#define CRTC_INDEX 0x3d4
#define CRTC_DATA  0x3d5
#define CRTC_CURSOR_START 0x0a
#define CRTC_CURSOR_END   0x0b
#define CRTC_CURSOR_HIGH  0x0e
#define CRTC_CURSOR_LOW   0x0f

#define TAB_WIDTH 8

static volatile uint16_t *vga;  /* NULL until vga_text_init: putc is a no-op */
static uint32_t vga_cols, vga_rows;
static uint32_t cur_x, cur_y;
static uint8_t attr = 0x07;    /* light grey on black */

static uint16_t cell(char c) {
    return (uint16_t)((uint16_t)attr << 8 | (uint8_t)c);
}

static void crtc_write(uint8_t reg, uint8_t v) {
    outb(CRTC_INDEX, reg);
    outb(CRTC_DATA, v);
}

static uint8_t crtc_read(uint8_t reg) {
    outb(CRTC_INDEX, reg);
    return inb(CRTC_DATA);
}

static void update_cursor(void) {
    uint32_t pos = cur_y * vga_cols + cur_x;
    crtc_write(CRTC_CURSOR_LOW, (uint8_t)pos);
    crtc_write(CRTC_CURSOR_HIGH, (uint8_t)(pos >> 8));
}

static void clear_row(uint32_t y) {
    uint16_t blank = cell(' ');
    for (uint32_t x = 0; x < vga_cols; x++) vga[y * vga_cols + x] = blank;
}

static void scroll(void) {
    /* Text memory is ordinary RAM-like VRAM: a plain memmove is fine. */
    memmove((void *)vga, (const void *)(vga + vga_cols),
            (uint64_t)(vga_rows - 1) * vga_cols * sizeof(uint16_t));
    clear_row(vga_rows - 1);
}

static void newline(void) {
    cur_x = 0;
    if (cur_y + 1 < vga_rows) cur_y++;
    else scroll();
}

void vga_text_init(void *base, uint32_t cols, uint32_t rows) {
    if (!base || cols == 0 || rows == 0) return;
    vga = base;
    vga_cols = cols;
    vga_rows = rows;
    attr = 0x07;
    /* Make the cursor a visible underline (scan lines 13-15 of a 16-line
     * cell): a boot loader may have disabled it (bit 5 of cursor start). */
    crtc_write(CRTC_CURSOR_START, (crtc_read(CRTC_CURSOR_START) & 0xc0) | 13);
    crtc_write(CRTC_CURSOR_END, (crtc_read(CRTC_CURSOR_END) & 0xe0) | 15);
    vga_text_clear();
}

void vga_text_clear(void) {
    if (!vga) return;
    for (uint32_t y = 0; y < vga_rows; y++) clear_row(y);
    cur_x = cur_y = 0;
    update_cursor();
}

void vga_text_set_color(uint8_t fg, uint8_t bg) {
    /* bg bit 3 would mean "blink" on default hardware setups: keep 0..7. */
    attr = (uint8_t)((bg & 0x07) << 4 | (fg & 0x0f));
}

void vga_text_putc(char c) {
    if (!vga) return;
    switch (c) {
    case '\n':
        newline();
        break;
    case '\r':
        cur_x = 0;
        break;
    case '\b': /* move back only; the caller overwrites with a space */
        if (cur_x > 0) {
            cur_x--;
        } else if (cur_y > 0) {
            cur_y--;
            cur_x = vga_cols - 1;
        }
        break;
    case '\t':
        cur_x = (cur_x / TAB_WIDTH + 1) * TAB_WIDTH;
        if (cur_x >= vga_cols) newline();
        break;
    default:
        if ((uint8_t)c < 0x20 || c == 0x7f) break; /* other controls: ignore */
        vga[cur_y * vga_cols + cur_x] = cell(c);
        if (++cur_x >= vga_cols) newline();
        break;
    }
    update_cursor();
}

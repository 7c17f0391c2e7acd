/* Framebuffer text console: PSF glyphs (converted to C at build time by
 * tools/psf2c.py, indexed by Latin-1 code) drawn into a 32-bpp direct-colour
 * framebuffer.
 *
 * Every write stays inside the first fb_width pixels of the first fb_height
 * scan lines of pitch bytes each, so the padding past the visible width and
 * memory past the last line are never touched. Cursor movement mirrors
 * drivers/vga_text.c (wrap right after the last column, '\b' reverse-wraps).
 * Not re-entrant: the console layer serialises callers. */
#include "drivers/fbcon.h"

/* From build/gen/font.c. */
extern const uint32_t font_width, font_height, font_glyph_count, font_bytes_per_row;
extern const uint8_t font_glyphs[];

#define TAB_WIDTH 8
#define CURSOR_LINES 2 /* underline cursor: bottom scan lines of the cell */

static uint8_t *fb;          /* NULL until fbcon_init succeeds */
static uint32_t fb_width, fb_height, fb_pitch;
static uint32_t cols, rows;
static uint32_t cur_x, cur_y;
static uint32_t palette[16]; /* VGA colours as pixel values of this mode */
static uint32_t fg_px, bg_px;
static uint32_t cursor_mask; /* XORed in when drawn; 0 = not on screen */

/* The 16 VGA text colours, 0xRRGGBB. */
static const uint32_t vga_rgb[16] = {
    0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
    0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

/* Scales an 8-bit channel to `size` bits and moves it to `pos`. */
static uint32_t channel(uint32_t v8, uint8_t pos, uint8_t size) {
    uint32_t v = size >= 8 ? v8 << (size - 8) : v8 >> (8 - size);
    if (size > 8) v |= v8 >> (16 - size); /* e.g. 10-bit: 0xff -> 0x3ff */
    return v << pos;
}

static uint32_t *pixel_row(uint32_t y) {
    return (uint32_t *)(fb + (uint64_t)y * fb_pitch);
}

static void fill_rect(uint32_t x0, uint32_t y0, uint32_t w, uint32_t h, uint32_t px) {
    for (uint32_t y = y0; y < y0 + h; y++) {
        uint32_t *row = pixel_row(y) + x0;
        for (uint32_t x = 0; x < w; x++) row[x] = px;
    }
}

static void draw_glyph(uint32_t cx, uint32_t cy, uint8_t ch) {
    if (ch >= font_glyph_count) ch = '?';
    const uint8_t *g = font_glyphs + (uint64_t)ch * font_height * font_bytes_per_row;
    for (uint32_t y = 0; y < font_height; y++, g += font_bytes_per_row) {
        uint32_t *row = pixel_row(cy * font_height + y) + cx * font_width;
        for (uint32_t x = 0; x < font_width; x++)
            row[x] = (g[x / 8] & (0x80 >> (x % 8))) ? fg_px : bg_px;
    }
}

/* XOR keeps the cursor reversible without remembering what it covered. */
static void cursor_xor(uint32_t mask) {
    uint32_t y0 = cur_y * font_height + font_height - CURSOR_LINES;
    for (uint32_t y = y0; y < y0 + CURSOR_LINES; y++) {
        uint32_t *row = pixel_row(y) + cur_x * font_width;
        for (uint32_t x = 0; x < font_width; x++) row[x] ^= mask;
    }
}

static void cursor_hide(void) {
    if (cursor_mask) cursor_xor(cursor_mask);
    cursor_mask = 0;
}

static void cursor_show(void) {
    cursor_mask = fg_px ^ bg_px;
    if (cursor_mask) cursor_xor(cursor_mask);
}

/* Forward copy for dst < src. 64-bit words while both are 8-byte aligned
 * (the usual case: pitch is a multiple of 8), bytes otherwise. A plain
 * integer loop: the kernel has no SSE and lib memmove goes byte by byte. */
static void copy_down(uint8_t *dst, const uint8_t *src, uint64_t n) {
    if ((((uintptr_t)dst | (uintptr_t)src) & 7) == 0) {
        uint64_t *d = (uint64_t *)dst;
        const uint64_t *s = (const uint64_t *)src;
        for (uint64_t i = 0; i < n / 8; i++) d[i] = s[i];
        dst += n & ~7ULL;
        src += n & ~7ULL;
        n &= 7;
    }
    while (n--) *dst++ = *src++;
}

static void scroll(void) {
    /* Move text rows 1..rows-1 up one; whole lines, padding included, are
     * all inside the framebuffer. Pixels below the last text row are left alone. */
    uint64_t row_bytes = (uint64_t)font_height * fb_pitch;
    copy_down(fb, fb + row_bytes, (uint64_t)(rows - 1) * row_bytes);
    fill_rect(0, (rows - 1) * font_height, cols * font_width, font_height, bg_px);
}

static void newline(void) {
    cur_x = 0;
    if (cur_y + 1 < rows) cur_y++;
    else scroll();
}

int fbcon_init(void *base, const struct secos_framebuffer *mode) {
    fb = 0;
    if (!base || !mode || mode->type != SECOS_FB_RGB || mode->bpp != 32) return -1;
    if (mode->width == 0 || mode->height == 0) return -1;
    if (mode->pitch % 4 || mode->pitch / 4 < mode->width) return -1; /* aligned rows that fit */
    if (font_width == 0 || font_height == 0) return -1;
    if (mode->width < font_width || mode->height < font_height) return -1;

    uint8_t rp = mode->red_pos, rs = mode->red_size;
    uint8_t gp = mode->green_pos, gs = mode->green_size;
    uint8_t bp = mode->blue_pos, bs = mode->blue_size;
    if (rs == 0 && gs == 0 && bs == 0) { /* no mask given: assume x8r8g8b8 */
        rp = 16; gp = 8; bp = 0;
        rs = gs = bs = 8;
    }
    if (rs == 0 || gs == 0 || bs == 0 || rs > 16 || gs > 16 || bs > 16 ||
        rp + rs > 32 || gp + gs > 32 || bp + bs > 32)
        return -1;
    for (int i = 0; i < 16; i++) {
        uint32_t rgb = vga_rgb[i];
        palette[i] = channel(rgb >> 16 & 0xff, rp, rs) |
                     channel(rgb >> 8 & 0xff, gp, gs) |
                     channel(rgb & 0xff, bp, bs);
    }

    fb = base;
    fb_width = mode->width;
    fb_height = mode->height;
    fb_pitch = mode->pitch;
    cols = fb_width / font_width;
    rows = fb_height / font_height;
    cursor_mask = 0;
    fbcon_set_color(7, 0);
    fbcon_clear();
    return 0;
}

uint32_t fbcon_cols(void) { return fb ? cols : 0; }
uint32_t fbcon_rows(void) { return fb ? rows : 0; }

void fbcon_set_color(uint8_t fg, uint8_t bg) {
    fg_px = palette[fg & 15];
    bg_px = palette[bg & 15];
    /* The cursor keeps the mask it was drawn with, so hiding it stays exact. */
}

void fbcon_clear(void) {
    if (!fb) return;
    fill_rect(0, 0, fb_width, fb_height, bg_px);
    cursor_mask = 0; /* overwritten */
    cur_x = cur_y = 0;
    cursor_show();
}

void fbcon_putc(char c) {
    if (!fb) return;
    cursor_hide();
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
            cur_x = cols - 1;
        }
        break;
    case '\t':
        cur_x = (cur_x / TAB_WIDTH + 1) * TAB_WIDTH;
        if (cur_x >= cols) newline();
        break;
    default:
        if ((uint8_t)c < 0x20 || c == 0x7f) break; /* other controls: ignore */
        draw_glyph(cur_x, cur_y, (uint8_t)c);
        if (++cur_x >= cols) newline();
        break;
    }
    cursor_show();
}

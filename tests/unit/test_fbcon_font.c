/* Host tests for drivers/fbcon.c: mode checks, palette packing, glyph
 * placement, wrap, scroll, and that nothing is written outside the visible
 * width x height of the framebuffer. A synthetic 8x4 font stands in for the
 * generated one so the test needs no build step: glyph c has every row equal
 * to the byte c, which makes each cell's pixels easy to predict.
 * No host_rename.h: nothing from lib/ is linked, memset/memcpy are libc's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/fbcon.h"

#define FW 8
#define FH 4
const uint32_t font_width = FW, font_height = FH, font_glyph_count = 256,
               font_bytes_per_row = 1;
uint8_t font_glyphs[256 * FH];

/* 12 x 4 cells plus 4 spare pixels right and 2 spare lines below; 24 bytes
 * of padding per line; guard areas before and after. */
#define W 100
#define H 18
#define PITCH (W * 4 + 24)
#define GUARD 256
#define POISON 0xa5

static uint8_t mem[GUARD + PITCH * H + GUARD];
static uint8_t *const base = mem + GUARD;

static const struct secos_framebuffer xrgb = {
    .width = W, .height = H, .pitch = PITCH, .bpp = 32, .type = SECOS_FB_RGB,
    .red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8,
    .blue_pos = 0, .blue_size = 8,
};

#define WHITE 0x00ffffffu /* palette 15 */
#define GREY  0x00aaaaaau /* palette 7: default fg */
#define BLACK 0u

static int setup(void **state) {
    (void)state;
    for (int c = 0; c < 256; c++) memset(font_glyphs + c * FH, c, FH);
    font_glyphs[' ' * FH] = font_glyphs[' ' * FH + 1] = 0; /* blank space */
    font_glyphs[' ' * FH + 2] = font_glyphs[' ' * FH + 3] = 0;
    memset(mem, POISON, sizeof mem);
    assert_int_equal(fbcon_init(base, &xrgb), 0);
    return 0;
}

static uint32_t px(uint32_t x, uint32_t y) {
    uint32_t v;
    memcpy(&v, base + y * PITCH + x * 4, 4);
    return v;
}

static void puts_fb(const char *s) {
    while (*s) fbcon_putc(*s++);
}

/* Checks the top two pixel rows of a cell (the cursor only covers the bottom
 * two) against glyph c in colours fg/bg. */
static void assert_cell(uint32_t cx, uint32_t cy, uint8_t c, uint32_t fg, uint32_t bg) {
    uint8_t bits = c == ' ' ? 0 : c;
    for (uint32_t y = 0; y < 2; y++)
        for (uint32_t x = 0; x < FW; x++)
            assert_int_equal(px(cx * FW + x, cy * FH + y), (bits & (0x80 >> x)) ? fg : bg);
}

/* On a blank cell the underline cursor shows as fg in the bottom rows. */
static int cursor_at(uint32_t cx, uint32_t cy) {
    return px(cx * FW, cy * FH + FH - 1) == GREY && px(cx * FW, cy * FH) == BLACK;
}

static void assert_outside_untouched(void) {
    for (int i = 0; i < GUARD; i++) {
        assert_int_equal(mem[i], POISON);
        assert_int_equal(mem[GUARD + PITCH * H + i], POISON);
    }
    for (int y = 0; y < H; y++)
        for (int i = W * 4; i < PITCH; i++) assert_int_equal(base[y * PITCH + i], POISON);
}

static void test_refuses_bad_modes(void **state) {
    (void)state;
    struct secos_framebuffer m;
#define REFUSED(field, value) \
    (m = xrgb, m.field = (value), fbcon_init(base, &m) == -1)
    assert_true(REFUSED(bpp, 24));
    assert_true(REFUSED(bpp, 16));
    assert_true(REFUSED(type, SECOS_FB_EGA_TEXT));
    assert_true(REFUSED(type, SECOS_FB_NONE));
    assert_true(REFUSED(width, 0));
    assert_true(REFUSED(height, 0));
    assert_true(REFUSED(pitch, W * 4 - 4)); /* a line would overlap the next */
    assert_true(REFUSED(pitch, W * 4 + 2)); /* misaligned lines */
    assert_true(REFUSED(width, FW - 1));    /* not even one cell */
    assert_true(REFUSED(height, FH - 1));
    assert_true(REFUSED(red_pos, 30));      /* channel past bit 31 */
    assert_true(REFUSED(green_size, 0));
    assert_int_equal(fbcon_init(NULL, &xrgb), -1);
    assert_int_equal(fbcon_init(base, NULL), -1);
    /* A refused mode leaves the console off: no writes at all. */
    assert_int_equal(fbcon_cols(), 0);
    memset(mem, POISON, sizeof mem);
    puts_fb("hello\n");
    fbcon_clear();
    for (size_t i = 0; i < sizeof mem; i++) assert_int_equal(mem[i], POISON);
}

static void test_geometry_and_clear(void **state) {
    (void)state;
    assert_int_equal(fbcon_cols(), W / FW);
    assert_int_equal(fbcon_rows(), H / FH);
    /* Clear paints every visible pixel, spare margins included. */
    assert_int_equal(px(W - 1, H - 1), BLACK);
    assert_true(cursor_at(0, 0));
    assert_outside_untouched();
}

static void test_palette_layouts(void **state) {
    (void)state;
    struct secos_framebuffer m = xrgb;
    m.red_pos = 0, m.blue_pos = 16; /* BGR order, as some GOP modes are */
    assert_int_equal(fbcon_init(base, &m), 0);
    fbcon_set_color(0, 4); /* red background */
    fbcon_clear();
    assert_int_equal(px(0, 0), 0x0000aa);

    m = xrgb; /* 10 bits per channel: full scale must stay full scale */
    m.red_pos = 20, m.red_size = 10, m.green_pos = 10, m.green_size = 10;
    m.blue_pos = 0, m.blue_size = 10;
    assert_int_equal(fbcon_init(base, &m), 0);
    fbcon_set_color(0, 15);
    fbcon_clear();
    assert_int_equal(px(0, 0), 0x3fffffff);

    m = xrgb; /* no mask given at all: assume x8r8g8b8 */
    m.red_pos = m.red_size = m.green_pos = m.green_size = 0;
    m.blue_pos = m.blue_size = 0;
    assert_int_equal(fbcon_init(base, &m), 0);
    fbcon_set_color(0, 9); /* light blue 5555ff */
    fbcon_clear();
    assert_int_equal(px(0, 0), 0x5555ff);
}

static void test_glyphs_and_colours(void **state) {
    (void)state;
    puts_fb("A");
    fbcon_set_color(15, 1);
    puts_fb("\x81");
    assert_cell(0, 0, 'A', GREY, BLACK);
    assert_cell(1, 0, 0x81, WHITE, 0x0000aa);
    assert_outside_untouched();
}

static void test_control_chars(void **state) {
    (void)state;
    puts_fb("ab\rc");
    assert_cell(0, 0, 'c', GREY, BLACK);
    assert_cell(1, 0, 'b', GREY, BLACK);
    /* The cursor now sits on 'b' (0x62): its bottom rows are inverted. */
    assert_int_equal(px(FW + 1, FH - 1), BLACK);
    assert_int_equal(px(FW + 0, FH - 1), GREY);
    puts_fb("\t");
    assert_true(cursor_at(8, 0));
    puts_fb("\n");
    assert_true(cursor_at(0, 1));
    puts_fb("xy\b");
    assert_cell(1, 1, 'y', GREY, BLACK); /* \b moves, does not erase */
    puts_fb(" \b");
    assert_true(cursor_at(1, 1));
    puts_fb("\x01\x7f"); /* other controls are ignored */
    assert_true(cursor_at(1, 1));
}

static void test_wrap_and_reverse_wrap(void **state) {
    (void)state;
    for (uint32_t i = 0; i < W / FW; i++) fbcon_putc('A');
    assert_true(cursor_at(0, 1)); /* wrapped right after the last column */
    puts_fb("\b \b");             /* the shell's erase, across the wrap */
    assert_cell(W / FW - 1, 0, ' ', GREY, BLACK);
    assert_cell(W / FW - 2, 0, 'A', GREY, BLACK);
    puts_fb("\t");                /* tab past the end wraps */
    assert_true(cursor_at(0, 1));
    assert_outside_untouched();
}

static void test_scroll(void **state) {
    (void)state;
    puts_fb("A\nB\nC\nD\nE");
    /* Four rows: "A" scrolled off, B..E remain. */
    assert_cell(0, 0, 'B', GREY, BLACK);
    assert_cell(0, 2, 'D', GREY, BLACK);
    assert_cell(0, 3, 'E', GREY, BLACK);
    fbcon_set_color(7, 2);
    puts_fb("\n");
    assert_cell(0, 2, 'E', GREY, BLACK);
    assert_cell(5, 3, ' ', GREY, 0x00aa00); /* new line in the current bg */
    /* The spare lines below the last text row are not part of the scroll. */
    assert_int_equal(px(0, H - 1), BLACK);
    for (int i = 0; i < 100; i++) puts_fb("scrolling a lot\n");
    assert_outside_untouched();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_refuses_bad_modes, setup),
        cmocka_unit_test_setup(test_geometry_and_clear, setup),
        cmocka_unit_test_setup(test_palette_layouts, setup),
        cmocka_unit_test_setup(test_glyphs_and_colours, setup),
        cmocka_unit_test_setup(test_control_chars, setup),
        cmocka_unit_test_setup(test_wrap_and_reverse_wrap, setup),
        cmocka_unit_test_setup(test_scroll, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

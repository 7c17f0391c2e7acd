#include "drivers/display.h"
#include "drivers/fbcon.h"
#include "drivers/vga_text.h"
#include "boot/boot_info.h"
#include "mm/physmap.h"
#include "lib/console_out.h"
#include "lib/glyph.h"
#include "lib/printf.h"

enum display_kind { DISPLAY_NONE, DISPLAY_VGA, DISPLAY_FB };
static enum display_kind display;
static char name[48] = "none";
static uint32_t cell_cols, cell_rows;

/* The displays have 256-glyph fonts (VGA text: code page 437; the
 * framebuffer font: Latin-1) while output is UTF-8 (rftree draws with box
 * characters): the display path decodes it and maps each code point to a
 * glyph the font has. Serial and debugcon get the bytes unchanged. */
static struct utf8_decoder utf8;

static void emit(uint8_t c) {
    if (display == DISPLAY_FB) fbcon_putc((char)c);
    else if (display == DISPLAY_VGA) vga_text_putc((char)c);
}

static void display_putc(char ch) {
    uint32_t cp;
    int r = utf8_feed(&utf8, (uint8_t)ch, &cp);
    if (r == UTF8_BAD) {
        emit('?');
        if ((uint8_t)ch < 0x80) emit((uint8_t)ch);
    } else if (r == UTF8_DONE) {
        emit(display == DISPLAY_VGA ? glyph_cp437(cp) : glyph_latin1(cp));
    }
}

static void display_clear(void) {
    if (display == DISPLAY_FB) fbcon_clear();
    else if (display == DISPLAY_VGA) vga_text_clear();
}

static void display_set_color(uint8_t fg, uint8_t bg) {
    if (display == DISPLAY_FB) fbcon_set_color(fg, bg);
    else if (display == DISPLAY_VGA) vga_text_set_color(fg, bg);
}

static const struct console_sink display_sink = {
    .name = "display", .putc = display_putc, .clear = display_clear, .set_color = display_set_color,
};

void display_init(void) {
    const struct secos_framebuffer *fb = &boot_info.fb;
    if (fb->type == SECOS_FB_RGB && fbcon_init(phys_to_virt(fb->addr), fb) == 0) {
        display = DISPLAY_FB;
        ksnprintf(name, sizeof name, "framebuffer %ux%ux%u", fb->width, fb->height, fb->bpp);
        cell_cols = fbcon_cols();
        cell_rows = fbcon_rows();
    } else if (fb->type == SECOS_FB_EGA_TEXT || boot_info.path == BOOT_PATH_MULTIBOOT1 ||
               fb->type == SECOS_FB_NONE) {
        uint32_t cols = fb->type == SECOS_FB_EGA_TEXT ? fb->width : 80;
        uint32_t rows = fb->type == SECOS_FB_EGA_TEXT ? fb->height : 25;
        if (boot_info.path != BOOT_PATH_UEFI) {
            vga_text_init(phys_to_virt(0xB8000), cols, rows);
            display = DISPLAY_VGA;
            cell_cols = cols;
            cell_rows = rows;
            ksnprintf(name, sizeof name, "vga-text %ux%u", cols, rows);
        }
    }
    if (display != DISPLAY_NONE) console_add_sink(&display_sink);
}

const char *display_name(void) { return name; }

int display_cells(uint32_t *cols, uint32_t *rows) {
    if (display == DISPLAY_NONE || !cell_cols || !cell_rows) return -1;
    *cols = cell_cols;
    *rows = cell_rows;
    return 0;
}

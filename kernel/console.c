/* Console multiplexer. Output: serial (with \n -> \r\n), QEMU's debugcon
 * (port 0xE9, only when it answers the Bochs read-back) and one display
 * (framebuffer console when the loader set up an RGB mode, VGA text otherwise).
 * Input: one ring filled by the serial and keyboard IRQs. */
#include "kernel/console.h"
#include "kernel/boot_info.h"
#include "drivers/serial.h"
#include "drivers/vga_text.h"
#include "drivers/fbcon.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/cpu.h"
#include "mm/physmap.h"
#include "lib/printf.h"
#include "lib/ringbuf.h"
#include "lib/glyph.h"
#include "kernel/proc.h"
#include <stdarg.h>

enum display_kind { DISPLAY_NONE, DISPLAY_VGA, DISPLAY_FB };
static enum display_kind display;
static int debugcon_present;
static struct ringbuf input;
static char display_name[48] = "none";

void console_init(void) {
    serial_init();
    debugcon_present = inb(0xE9) == 0xE9;
    ringbuf_init(&input);
}

void console_init_display(void) {
    const struct secos_framebuffer *fb = &boot_info.fb;
    if (fb->type == SECOS_FB_RGB && fbcon_init(phys_to_virt(fb->addr), fb) == 0) {
        display = DISPLAY_FB;
        ksnprintf(display_name, sizeof display_name, "framebuffer %ux%ux%u", fb->width, fb->height, fb->bpp);
    } else if (fb->type == SECOS_FB_EGA_TEXT || boot_info.path == BOOT_PATH_MULTIBOOT1 ||
               fb->type == SECOS_FB_NONE) {
        uint32_t cols = fb->type == SECOS_FB_EGA_TEXT ? fb->width : 80;
        uint32_t rows = fb->type == SECOS_FB_EGA_TEXT ? fb->height : 25;
        /* Under UEFI without GOP there is no VGA text mode to write to. */
        if (boot_info.path != BOOT_PATH_UEFI) {
            vga_text_init(phys_to_virt(0xB8000), cols, rows);
            display = DISPLAY_VGA;
            ksnprintf(display_name, sizeof display_name, "vga-text %ux%u", cols, rows);
        }
    }
}

const char *console_display_name(void) { return display_name; }

static void debugcon_putc(char c) {
    if (debugcon_present) outb(0xE9, (uint8_t)c);
}

/* The displays have 256-glyph fonts (VGA text: code page 437; the
 * framebuffer font: Latin-1) while output is UTF-8 (rftree draws with box
 * characters): the display path decodes it and maps each code point to a
 * glyph the font has. Serial and debugcon get the bytes unchanged. */
static struct utf8_decoder display_utf8;

static void display_emit(uint8_t c) {
    if (display == DISPLAY_FB) fbcon_putc((char)c);
    else if (display == DISPLAY_VGA) vga_text_putc((char)c);
}

static void display_putc(char ch) {
    if (display == DISPLAY_NONE) return;
    uint32_t cp;
    int r = utf8_feed(&display_utf8, (uint8_t)ch, &cp);
    if (r == UTF8_BAD) {
        display_emit('?');
        if ((uint8_t)ch < 0x80) display_emit((uint8_t)ch);
    } else if (r == UTF8_DONE) {
        display_emit(display == DISPLAY_VGA ? glyph_cp437(cp) : glyph_latin1(cp));
    }
}

void console_putc(char c) {
    if (c == '\n') serial_putc('\r');
    serial_putc(c);
    debugcon_putc(c);
    display_putc(c);
}

void console_write(const char *s, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) console_putc(s[i]);
}

static void emit_console(char c, void *ctx) { (void)ctx; console_putc(c); }

int kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = kvcprintf(emit_console, 0, fmt, ap);
    va_end(ap);
    return n;
}

static void emit_marker(char c, void *ctx) {
    (void)ctx;
    if (c == '\n') serial_putc('\r');
    serial_putc(c);
    debugcon_putc(c);
}

void console_marker(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvcprintf(emit_marker, 0, fmt, ap);
    va_end(ap);
}

void console_clear(void) {
    if (display == DISPLAY_FB) fbcon_clear();
    else if (display == DISPLAY_VGA) vga_text_clear();
    /* ANSI clear + home for serial terminals. */
    const char *ansi = "\033[2J\033[H";
    while (*ansi) serial_putc(*ansi++);
}

void console_set_color(uint8_t fg, uint8_t bg) {
    if (display == DISPLAY_FB) fbcon_set_color(fg, bg);
    else if (display == DISPLAY_VGA) vga_text_set_color(fg, bg);
}

void console_reset_color(void) { console_set_color(7, 0); }

void console_input_push(uint8_t byte) {
    ringbuf_put(&input, byte);
    wakeup(&input);
}

uint32_t console_input_room(void) { return (uint32_t)(RINGBUF_SIZE - ringbuf_count(&input)); }

int console_try_getc(uint8_t *byte) {
    uint64_t f = irq_save();
    int r = ringbuf_get(&input, byte);
    if (r == 0) serial_resume_rx();
    irq_restore(f);
    return r;
}

uint8_t console_getc(void) {
    uint8_t b;
    uint64_t f = irq_save();
    /* Interrupts stay off between the check and the sleep, so a byte that
     * arrives in between cannot be missed. */
    while (ringbuf_get(&input, &b) != 0) sleep_on(&input);
    serial_resume_rx();
    irq_restore(f);
    return b;
}

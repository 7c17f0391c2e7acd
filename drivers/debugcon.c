#include "drivers/debugcon.h"
#include "arch/x86_64/io.h"
#include "lib/console_out.h"

static void debugcon_putc(char c) { outb(0xE9, (uint8_t)c); }

static const struct console_sink debugcon_sink = {
    .name = "debugcon", .putc = debugcon_putc, .flags = CONSOLE_SINK_MARKERS,
};

int debugcon_init(void) {
    if (inb(0xE9) != 0xE9) return -1;
    return console_add_sink(&debugcon_sink);
}

/* Output fan-out to the registered sinks. Sinks are only added during boot
 * (single CPU, interrupts off), so the table needs no lock: readers see a
 * count that only grows and entries written before the count. */
#include "lib/console_out.h"
#include "lib/printf.h"
#include "lib/klog.h"
#include <stdarg.h>

static const struct console_sink *sinks[CONSOLE_MAX_SINKS];
static unsigned nsinks;

int console_add_sink(const struct console_sink *sink) {
    if (nsinks == CONSOLE_MAX_SINKS) return -1;
    sinks[nsinks] = sink;
    __atomic_store_n(&nsinks, nsinks + 1, __ATOMIC_RELEASE);
    return 0;
}

void console_putc(char c) {
    for (unsigned i = 0; i < nsinks; i++) sinks[i]->putc(c);
}

void console_write(const char *s, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) console_putc(s[i]);
}

static const struct console_program_observer *observer;

void console_set_program_observer(const struct console_program_observer *obs) { observer = obs; }

void console_program_write(const char *s, uint64_t n) {
    if (n == 0) return;
    if (observer) observer->before();
    console_write(s, n);
    if (observer) observer->after(s[n - 1]);
}

void console_program_write_raw(const char *s, uint64_t n) {
    if (n == 0) return;
    if (observer) observer->before();
    for (uint64_t i = 0; i < n; i++)
        for (unsigned k = 0; k < nsinks; k++) (sinks[k]->putc_raw ? sinks[k]->putc_raw : sinks[k]->putc)(s[i]);
    if (observer) observer->after(s[n - 1]);
}

/* kprintf's bytes: to every sink and into the kernel log (lib/klog.h). */
static void emit_console(char c, void *ctx) {
    (void)ctx;
    klog_putc(&kernel_log, c);
    console_putc(c);
}

int kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = kvcprintf(emit_console, 0, fmt, ap);
    va_end(ap);
    return n;
}

static void emit_marker(char c, void *ctx) {
    (void)ctx;
    for (unsigned i = 0; i < nsinks; i++)
        if (sinks[i]->flags & CONSOLE_SINK_MARKERS) sinks[i]->putc(c);
}

void console_marker(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvcprintf(emit_marker, 0, fmt, ap);
    va_end(ap);
}

void console_clear(void) {
    for (unsigned i = 0; i < nsinks; i++)
        if (sinks[i]->clear) sinks[i]->clear();
}

void console_set_color(uint8_t fg, uint8_t bg) {
    for (unsigned i = 0; i < nsinks; i++)
        if (sinks[i]->set_color) sinks[i]->set_color(fg, bg);
}

void console_reset_color(void) { console_set_color(7, 0); }

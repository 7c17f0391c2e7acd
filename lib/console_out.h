/* Kernel output: kprintf and friends reach every registered output device
 * (a "sink": serial, debugcon, a display). The devices live in drivers/ and
 * register themselves at init; this module knows none of them by name, so
 * every layer from arch up can print without depending on a driver. */
#ifndef LIB_CONSOLE_OUT_H
#define LIB_CONSOLE_OUT_H
#include <stdint.h>

struct console_sink {
    const char *name;
    void (*putc)(char c);                        /* gets '\n' unchanged (a serial line adds its CR) */
    void (*putc_raw)(char c);                    /* the byte as is (terminal output); 0: putc */
    void (*clear)(void);                         /* may be 0 */
    void (*set_color)(uint8_t fg, uint8_t bg);   /* VGA palette indices; may be 0 */
    unsigned flags;
};
/* The sink also receives console_marker() lines (test markers). */
#define CONSOLE_SINK_MARKERS 1u

#define CONSOLE_MAX_SINKS 4
/* 0, or -1 when the table is full. The sink must outlive the kernel. */
int console_add_sink(const struct console_sink *sink);

void console_putc(char c);
void console_write(const char *s, uint64_t n);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_clear(void);
void console_set_color(uint8_t fg, uint8_t bg);
void console_reset_color(void);

/* What programs write to the console (fds 1 and 2) goes through
 * console_program_write, so that the kernel console can keep its prompt
 * readable: the observer it registers hears before and after each chunk. */
struct console_program_observer {
    void (*before)(void);
    void (*after)(char last);   /* the chunk's last byte */
};
void console_set_program_observer(const struct console_program_observer *obs);
void console_program_write(const char *s, uint64_t n);
/* The same for a terminal's output, already processed (OPOST): each sink
 * gets the bytes as they are, no CR added before a LF. */
void console_program_write_raw(const char *s, uint64_t n);

/* Marker lines for tests: written only to sinks with CONSOLE_SINK_MARKERS. */
void console_marker(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* A small vsnprintf: %d %i %u %x %X %o %p %s %c %%, with the l/ll/z/h length
 * modifiers, width, '-', '0' and precision (for %s and integers).
 * Output is always NUL-terminated when size > 0; the return value is the
 * length the full output would have had, as in C99. Field widths and
 * precisions are capped at PRINTF_MAX_FIELD so no format string can make one
 * conversion do unbounded work. Differences from C: %p of NULL is "0x0". */
#define PRINTF_MAX_FIELD 4096
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H
#include <stdarg.h>
#include <stddef.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Streaming form: every produced character goes to emit(c, ctx). */
typedef void (*printf_emit_fn)(char c, void *ctx);
int kvcprintf(printf_emit_fn emit, void *ctx, const char *fmt, va_list ap);

#endif

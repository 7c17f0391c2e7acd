/* Untrusted text on a terminal. Names that come from programs, archives or
 * the boot loader (process names, file names, the kernel command line) are
 * printed through this one escaper, so none of them can move the cursor,
 * recolour, retitle or otherwise command the terminal that shows them.
 *
 * Passed unchanged: printable ASCII except the backslash, and well-formed
 * UTF-8 for code points U+00A0 and above, except the invisible text-direction
 * and line-separator controls (U+2028/U+2029, U+202A-U+202E, U+2066-U+2069,
 * U+200E/U+200F). Everything else becomes "\xNN" per byte: C0 controls, DEL,
 * raw C1 bytes 0x80-0x9f, UTF-8-encoded C1 (U+0080-U+009F, e.g. U+009B CSI),
 * overlong forms, surrogates, code points past U+10FFFF, truncated sequences
 * and stray continuation bytes. A backslash becomes "\\" so an escape in the
 * output is never ambiguous. */
#ifndef LIB_ESCAPE_H
#define LIB_ESCAPE_H
#include <stddef.h>

typedef void (*escape_emit_fn)(char c, void *ctx);

/* Escapes s[0..n) (NUL bytes included, as "\x00") into emit; returns the
 * number of characters emitted. emit may be NULL to only count. */
size_t escape_untrusted(const char *s, size_t n, escape_emit_fn emit, void *ctx);

#endif

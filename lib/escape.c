/* See lib/escape.h for the policy. Pure: the same code runs in the host unit
 * tests and the fuzzer. */
#include "lib/escape.h"
#include <stdint.h>

static size_t put(escape_emit_fn emit, void *ctx, char c) {
    if (emit) emit(c, ctx);
    return 1;
}

static size_t put_hex(escape_emit_fn emit, void *ctx, uint8_t b) {
    static const char hex[] = "0123456789abcdef";
    put(emit, ctx, '\\');
    put(emit, ctx, 'x');
    put(emit, ctx, hex[b >> 4]);
    put(emit, ctx, hex[b & 15]);
    return 4;
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes) and its
 * code point, or 0 if it is not one (RFC 3629: no overlongs, no surrogates,
 * nothing past U+10FFFF). */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp) {
    uint8_t b = s[0];
    size_t len;
    uint32_t v, min;
    if (b >= 0xc2 && b <= 0xdf) { len = 2; v = b & 0x1f; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { len = 3; v = b & 0x0f; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { len = 4; v = b & 0x07; min = 0x10000; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

static int invisible_control(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

size_t escape_untrusted(const char *str, size_t n, escape_emit_fn emit, void *ctx) {
    const uint8_t *s = (const uint8_t *)str;
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        uint8_t b = s[i];
        if (b == '\\') {
            out += put(emit, ctx, '\\');
            out += put(emit, ctx, '\\');
            i++;
        } else if (b >= 0x20 && b < 0x7f) {
            out += put(emit, ctx, (char)b);
            i++;
        } else if (b < 0x80) {
            out += put_hex(emit, ctx, b);
            i++;
        } else {
            uint32_t cp;
            size_t len = utf8_decode(s + i, n - i, &cp);
            if (len && !invisible_control(cp)) {
                for (size_t k = 0; k < len; k++) out += put(emit, ctx, (char)s[i + k]);
                i += len;
            } else {
                /* Byte by byte: the rest of a bad sequence is judged on its own. */
                out += put_hex(emit, ctx, b);
                i++;
            }
        }
    }
    return out;
}

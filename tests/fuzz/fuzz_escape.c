/* Fuzzes escape_untrusted() (lib/escape.c): whatever the input, the output
 * holds no C0 control, no DEL, no byte 0x80-0x9f and no UTF-8-encoded C1 or
 * text-direction control; it is well-formed UTF-8; every backslash starts
 * "\\" or "\xNN"; and the counting pass agrees with the emitting one. */
#include "tests/fuzz/fuzz.h"
#include "lib/escape.h"

struct out { uint8_t *buf; size_t n, cap; };

static void collect(char c, void *p) {
    struct out *o = p;
    CHECK(o->n < o->cap);
    o->buf[o->n++] = (uint8_t)c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct out o = { malloc(size * 4 + 1), 0, size * 4 };
    CHECK(o.buf);
    size_t r = escape_untrusted((const char *)data, size, collect, &o);
    CHECK(r == o.n && escape_untrusted((const char *)data, size, NULL, NULL) == r);
    for (size_t i = 0; i < o.n;) {
        uint8_t b = o.buf[i];
        CHECK(b >= 0x20 && b != 0x7f);
        if (b == '\\') {
            CHECK(i + 1 < o.n);
            if (o.buf[i + 1] == '\\') { i += 2; continue; }
            CHECK(o.buf[i + 1] == 'x' && i + 3 < o.n);
            i += 4;
            continue;
        }
        if (b < 0x80) { i++; continue; }
        /* Multi-byte: well formed, and not C1 or a direction control. */
        size_t len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        CHECK(b >= 0xc2 && b <= 0xf4 && i + len <= o.n);
        uint32_t cp = b & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
        for (size_t k = 1; k < len; k++) {
            CHECK((o.buf[i + k] & 0xc0) == 0x80);
            cp = (cp << 6) | (o.buf[i + k] & 0x3f);
        }
        CHECK(cp >= 0xa0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff));
        CHECK(!(cp >= 0x2028 && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069) && cp != 0x200e && cp != 0x200f);
        CHECK(len == 2 || cp >= (len == 3 ? 0x800u : 0x10000u));
        i += len;
    }
    free(o.buf);
    return 0;
}

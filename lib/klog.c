/* The kernel log ring; the rules are in lib/klog.h. */
#include "lib/klog.h"
#include "lib/string.h"

struct klog kernel_log;

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int is_word(char c) {
    return hexval(c) >= 0 || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '_';
}

#define KERNEL_HALF 0xffff800000000000ull
static const char kaddr[] = "<kaddr>";

size_t klog_redact(const char *in, size_t n, char *out, size_t cap) {
    size_t o = 0, i = 0;
    while (i < n) {
        /* A number starts at a word boundary: "0x" then hex digits, or a run
         * of hex digits (%lx without #). */
        size_t s = i, d = i;
        if (i == 0 || !is_word(in[i - 1])) {
            if (i + 1 < n && in[i] == '0' && (in[i + 1] == 'x' || in[i + 1] == 'X')) d = i + 2;
            size_t e = d;
            uint64_t v = 0;
            int big = 0;
            while (e < n && hexval(in[e]) >= 0) {
                if (e - d >= 16) big = 1;
                v = (v << 4) | (uint64_t)hexval(in[e]);
                e++;
            }
            int whole = e == n || !is_word(in[e]);
            if (e > d && whole && !big && e - d == 16 && v >= KERNEL_HALF) {
                for (size_t k = 0; k < sizeof kaddr - 1 && o < cap; k++) out[o++] = kaddr[k];
                i = e;
                continue;
            }
            if (e > d && whole && big) { /* longer than 64 bits: not an address, but do not let it hide one */
                for (size_t k = 0; k < sizeof kaddr - 1 && o < cap; k++) out[o++] = kaddr[k];
                i = e;
                continue;
            }
            /* Not an address: copy the whole word, so a number's tail is
             * never taken for the start of another. */
            e = s;
            while (e < n && is_word(in[e])) e++;
            if (e == s) e = s + 1;
            for (size_t k = s; k < e && o < cap; k++) out[o++] = in[k];
            i = e;
            continue;
        }
        if (o < cap) out[o++] = in[i];
        i++;
    }
    return o;
}

static void append(struct klog *l, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) l->ring[(l->total + i) & (KLOG_SIZE - 1)] = s[i];
    l->total += n;
}

/* Redacts and appends the first n bytes of the held line. */
static void flush(struct klog *l, size_t n) {
    char out[KLOG_LINE_MAX + 16];
    append(l, out, klog_redact(l->line, n, out, sizeof out));
    memmove(l->line, l->line + n, l->line_len - n);
    l->line_len -= n;
}

void klog_putc(struct klog *l, char c) {
    l->line[l->line_len++] = c;
    if (c == '\n') {
        flush(l, l->line_len);
    } else if (l->line_len == KLOG_LINE_MAX) {
        /* A line this long goes out in pieces, each cut after a non-word
         * byte, so that no number is split into halves that each look
         * harmless; one word as long as the buffer goes out whole. */
        size_t cut = l->line_len;
        while (cut > 0 && is_word(l->line[cut - 1])) cut--;
        flush(l, cut ? cut : l->line_len);
    }
}

uint64_t klog_size(const struct klog *l) { return l->total < KLOG_SIZE ? l->total : KLOG_SIZE; }

uint64_t klog_read(const struct klog *l, uint64_t off, char *buf, uint64_t len) {
    uint64_t size = klog_size(l), first = l->total - size;
    if (off >= size) return 0;
    if (len > size - off) len = size - off;
    for (uint64_t i = 0; i < len; i++) buf[i] = l->ring[(first + off + i) & (KLOG_SIZE - 1)];
    return len;
}

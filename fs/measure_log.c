/* The measurement log's pure part (fs/measure_log.h). */
#include "fs/measure_log.h"
#include <stdarg.h>
#include "lib/printf.h"
#include "lib/string.h"

void measure_log_init(struct measure_log *log) {
    memset(log, 0, sizeof *log);
    log->next_seq = 1;
}

static void copy_bounded(char *dst, size_t size, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= size) n = size - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
}

void measure_log_add(struct measure_log *log, const char *what, const char *path, const uint8_t sha256[32],
                     int pinned) {
    uint32_t seq = log->next_seq++;
    if (log->count >= MEASURE_MAX) {
        log->dropped++;
        return;
    }
    struct measurement *m = &log->entries[log->count++];
    m->seq = seq;
    m->pinned = pinned;
    copy_bounded(m->what, sizeof m->what, what);
    copy_bounded(m->path, sizeof m->path, path);
    memcpy(m->sha256, sha256, 32);
}

struct out {
    char *buf;
    size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...) {
    if (o->len + 1 >= o->size) return;
    va_list ap;
    va_start(ap, fmt);
    int w = kvsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (w < 0) return;
    o->len += (size_t)w;
    if (o->len >= o->size) o->len = o->size - 1;
}

size_t measure_log_text(const struct measure_log *log, char *buf, size_t size) {
    struct out o = { buf, size, 0 };
    if (!size) return 0;
    buf[0] = 0;
    if (!log->loader_measured) put(&o, "no loader measurements (this boot path does not hash the images)\n");
    for (uint32_t i = 0; i < log->count; i++) {
        const struct measurement *m = &log->entries[i];
        char hex[65];
        for (int k = 0; k < 32; k++) {
            hex[2 * k] = "0123456789abcdef"[m->sha256[k] >> 4];
            hex[2 * k + 1] = "0123456789abcdef"[m->sha256[k] & 15];
        }
        hex[64] = 0;
        const char *pin = m->pinned < 0 ? "" : m->pinned ? " pinned" : " unpinned";
        put(&o, "%u %pE %pE sha256:%s%s\n", m->seq, m->what, m->path, hex, pin);
    }
    if (log->dropped) put(&o, "dropped: %u (log full)\n", log->dropped);
    return o.len;
}

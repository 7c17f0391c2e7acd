/* The measurement log (fs/measure.h): a fixed array, no allocation on the
 * add path, so recording a measurement cannot fail or leak. */
#include "fs/measure.h"
#include <stdarg.h>
#include "fs/fs.h"
#include "boot/boot_info.h"
#include "lib/console_out.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/kheap.h"

#define MEASURE_WHAT 16
#define MEASURE_PATHLEN 96

struct measurement {
    uint32_t seq;
    int pinned;
    char what[MEASURE_WHAT];
    char path[MEASURE_PATHLEN];
    uint8_t sha256[32];
};

static struct measurement entries[MEASURE_MAX];
static uint32_t count, dropped, next_seq = 1;
/* Set by measure_boot: whether the loader handed over any measurements. */
static int boot_measured;

static void copy_bounded(char *dst, size_t size, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= size) n = size - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
}

void measure_add_pinned(const char *what, const char *path, const uint8_t sha256[32], int pinned) {
    uint32_t seq = next_seq++;   /* a dropped entry still uses its number: gaps show it */
    if (count >= MEASURE_MAX) {
        dropped++;
        return;
    }
    struct measurement *m = &entries[count++];
    m->seq = seq;
    m->pinned = pinned;
    copy_bounded(m->what, sizeof m->what, what);
    copy_bounded(m->path, sizeof m->path, path);
    memcpy(m->sha256, sha256, 32);
}

void measure_add(const char *what, const char *path, const uint8_t sha256[32]) {
    measure_add_pinned(what, path, sha256, -1);
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

void measure_boot(const struct boot_info *bi) {
    /* Only the UEFI loader hashes the images; on other paths the fields are
     * zero and nothing is recorded rather than something made up. */
    if (bi->path != BOOT_PATH_UEFI) return;
    if (!all_zero(bi->kernel_sha256, 32)) {
        measure_add_pinned("kernel", "kernel.elf", bi->kernel_sha256, bi->images_pinned == 1);
        boot_measured = 1;
    }
    if (!all_zero(bi->initrd_sha256, 32)) {
        measure_add_pinned("initrd", "initrd.cpio", bi->initrd_sha256, bi->images_pinned == 1);
        boot_measured = 1;
    }
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

size_t measure_text(char *buf, size_t size) {
    struct out o = { buf, size, 0 };
    if (!size) return 0;
    buf[0] = 0;
    if (!boot_measured) put(&o, "no loader measurements (this boot path does not hash the images)\n");
    for (uint32_t i = 0; i < count; i++) {
        const struct measurement *m = &entries[i];
        char hex[65];
        for (int k = 0; k < 32; k++) {
            hex[2 * k] = "0123456789abcdef"[m->sha256[k] >> 4];
            hex[2 * k + 1] = "0123456789abcdef"[m->sha256[k] & 15];
        }
        hex[64] = 0;
        const char *pin = m->pinned < 0 ? "" : m->pinned ? " pinned" : " unpinned";
        put(&o, "%u %s %s sha256:%s%s\n", m->seq, m->what, m->path, hex, pin);
    }
    if (dropped) put(&o, "dropped: %u (log full)\n", dropped);
    return o.len;
}

void measure_publish(void) {
    size_t cap = 128 + (size_t)MEASURE_MAX * (MEASURE_WHAT + MEASURE_PATHLEN + 96);
    char *buf = kmalloc(cap);
    if (!buf) {
        kprintf("[FS] error: %s: out of memory\n", MEASURE_PATH);
        return;
    }
    size_t n = measure_text(buf, cap);
    int r = vfs_mkdir("/sys/kernel");
    if (!r) r = vfs_mkdir("/sys/kernel/security");
    if (!r) r = vfs_create(MEASURE_PATH, 1, buf, n);
    if (r) kprintf("[FS] error: %s: %s\n", MEASURE_PATH, vfs_strerror(r));
    kfree(buf);
}

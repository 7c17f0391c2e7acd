/* fsburst [n]: RAMFS growth that goes away again. Creates n (default 2)
 * files of 960 KiB (two fit in the 2 MiB quota), each followed by a small
 * file (/fsburst-small-<i>, left behind on purpose: it sits after the big
 * one in the kernel heap), then removes the big files and prints
 * "fsburst: done". The kernel heap must give the
 * big files' frames back although small blocks remain between them. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

static char chunk[64 * 1024];

static void name(char *out, const char *kind, int i) {
    const char *p = "/fsburst-";
    int n = 0;
    while (*p) out[n++] = *p++;
    while (*kind) out[n++] = *kind++;
    out[n++] = '-';
    out[n++] = (char)('0' + i);
    out[n] = '\0';
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 2;
    if (count < 1 || count > 9) count = 2;
    memset(chunk, 'b', sizeof chunk);
    for (int i = 0; i < count; i++) {
        char big[32], small[32];
        name(big, "big", i);
        name(small, "small", i);
        long fd = sys_open(big, O_CREAT | O_WRONLY | O_TRUNC);
        if (fd < 0) { printf("fsburst: open %s: %ld\n", big, fd); return 1; }
        for (int k = 0; k < 15; k++) {
            long w = sys_write((int)fd, chunk, sizeof chunk);
            if (w != (long)sizeof chunk) { printf("fsburst: write %s: %ld\n", big, w); return 1; }
        }
        sys_close((int)fd);
        fd = sys_open(small, O_CREAT | O_WRONLY | O_TRUNC);
        if (fd < 0) { printf("fsburst: open %s: %ld\n", small, fd); return 1; }
        sys_write((int)fd, "small\n", 6);
        sys_close((int)fd);
    }
    for (int i = 0; i < count; i++) {
        char big[32];
        name(big, "big", i);
        long r = sys_unlink(big);
        if (r) { printf("fsburst: unlink %s: %ld\n", big, r); return 1; }
    }
    printf("fsburst: done\n");
    return 0;
}

/* fsquota <nodes> <kib> [leave]: RAMFS quota per process. Creates empty
 * files until the kernel refuses, then 256 KiB files until it refuses, and
 * checks the counts against the quota it expects (this program's manifest
 * lowers the default to 8 nodes and 256 KiB). Prints "fsquota: ok ..." or
 * "fsquota: FAIL ...". With "leave" it exits without removing anything: the
 * nodes stay charged to it, not to the next program. */
#include "ulib.h"

SECOS_MANIFEST_FS(SECOS_MANIFEST_DEFAULT_FLAGS, 0, 8, 256);

static char chunk[16 * 1024];

static void path_of(char *out, long pid, int i) {
    const char *p = "/fsq-";
    int n = 0;
    while (*p) out[n++] = *p++;
    char digits[24];
    int d = 0;
    for (long v = pid; v; v /= 10) digits[d++] = (char)('0' + v % 10);
    while (d) out[n++] = digits[--d];
    out[n++] = '-';
    out[n++] = (char)('a' + i / 26);
    out[n++] = (char)('a' + i % 26);
    out[n] = '\0';
}

int main(int argc, char **argv) {
    if (argc < 3) { printf("usage: fsquota <nodes> <kib> [leave]\n"); return 2; }
    long want_nodes = atoi(argv[1]), want_kib = atoi(argv[2]);
    int leave = argc > 3 && strcmp(argv[3], "leave") == 0;
    long pid = sys_getpid(), nodes = 0, err = 0;
    char path[48];
    for (int i = 0; i < 300; i++) {
        path_of(path, pid, i);
        long fd = sys_open(path, O_CREAT | O_WRONLY);
        if (fd < 0) { err = fd; break; }
        sys_close((int)fd);
        nodes++;
    }
    long nodes_err = err;
    /* Bytes: keep one node free for them. */
    if (nodes > 0) { path_of(path, pid, (int)nodes - 1); sys_unlink(path); }
    long bytes = 0;
    err = 0;
    path_of(path, pid, 299);
    long fd = sys_open(path, O_CREAT | O_WRONLY);
    if (fd < 0) err = fd;
    memset(chunk, 'q', sizeof chunk);
    while (fd >= 0 && bytes < (8l << 20)) {
        long w = sys_write((int)fd, chunk, sizeof chunk);
        if (w < 0) { err = w; break; }
        bytes += w;
    }
    if (fd >= 0) sys_close((int)fd);
    int ok = nodes == want_nodes && nodes_err == -ENOSPC && bytes == want_kib * 1024 && err == -ENOSPC;
    printf("fsquota: %s: %ld nodes (then %ld), %ld bytes (then %ld)\n", ok ? "ok" : "FAIL", nodes, nodes_err, bytes,
           err);
    if (!leave) {
        for (int i = 0; i < nodes - 1; i++) { path_of(path, pid, i); sys_unlink(path); }
        path_of(path, pid, 299);
        sys_unlink(path);
    }
    return ok ? 0 : 1;
}

/* The storage benchmark's program (tools/bench_storage.sh --vs-linux): one
 * static binary that runs on SECoS (initrd /bin/lxstorage, Linux
 * personality) and on a Linux guest under the same QEMU, on the same FAT32
 * image on virtio-blk. One phase per run, so that the caller can drop the
 * caches between phases (SECoS: unmount and mount again; Linux:
 * /proc/sys/vm/drop_caches):
 *
 *   lxstorage write FILE [MIB]    MIB (default 64) 1 MiB write()s, then fsync
 *   lxstorage read FILE           the file sequentially in 1 MiB read()s
 *   lxstorage rand FILE [N]       N (default 1000) preads of 4 KiB at random
 *                                 4 KiB-aligned offsets (fixed seed)
 *
 * Lines (rdtsc ticks: host time under plain TCG):
 *   BENCH seq_write_per_mib <ticks per MiB, fsync included> <MiB>
 *   BENCH seq_read_per_mib <ticks per MiB> <MiB>
 *   BENCH rand_read_4k <median ticks per pread> <N> <min> <p10> <p90>
 * Exit status 0, or 1 with "lxstorage: ..." on stderr. The data written is
 * a pattern that read checks, so a short or wrong read fails the run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1u << 20)
#define PAGE 4096u
#define MAX_RAND 100000

static inline uint64_t now(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

static int fail(const char *what, const char *file) {
    fprintf(stderr, "lxstorage: %s %s: %s\n", what, file, strerror(errno));
    return 1;
}

/* The word at byte offset off of the file: a pattern no two 4 KiB pages share. */
static uint64_t pattern(uint64_t off) { return off * 0x9E3779B97F4A7C15ull ^ 0x5EC05; }

static void fill(uint8_t *buf, uint64_t off, uint32_t len) {
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t w = pattern(off + i);
        memcpy(buf + i, &w, 8);
    }
}

static int check(const uint8_t *buf, uint64_t off, uint32_t len) {
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        if (w != pattern(off + i)) return -1;
    }
    return 0;
}

static int do_write(const char *file, uint32_t mib, uint8_t *buf) {
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return fail("open", file);
    uint64_t t = 0;
    for (uint32_t m = 0; m < mib; m++) {
        fill(buf, (uint64_t)m * MIB, MIB);   /* outside the timed part */
        uint64_t t0 = now();
        ssize_t w = write(fd, buf, MIB);
        t += now() - t0;
        if (w != (ssize_t)MIB) { if (w >= 0) errno = EIO; close(fd); return fail("write", file); }
    }
    uint64_t t0 = now();
    int r = fsync(fd);
    t += now() - t0;
    if (r != 0) { close(fd); return fail("fsync", file); }
    if (close(fd) != 0) return fail("close", file);
    printf("BENCH seq_write_per_mib %llu %u\n", (unsigned long long)(t / mib), mib);
    return 0;
}

static int do_read(const char *file, uint8_t *buf) {
    int fd = open(file, O_RDONLY);
    if (fd < 0) return fail("open", file);
    uint64_t t = 0, off = 0;
    for (;;) {
        uint64_t t0 = now();
        ssize_t r = read(fd, buf, MIB);
        t += now() - t0;
        if (r < 0) { close(fd); return fail("read", file); }
        if (r == 0) break;
        if (check(buf, off, (uint32_t)r & ~7u) != 0) {
            close(fd);
            fprintf(stderr, "lxstorage: %s: wrong data at %llu\n", file, (unsigned long long)off);
            return 1;
        }
        off += (uint64_t)r;
    }
    close(fd);
    uint32_t mib = (uint32_t)(off / MIB);
    if (mib == 0) { fprintf(stderr, "lxstorage: %s: shorter than 1 MiB\n", file); return 1; }
    printf("BENCH seq_read_per_mib %llu %u\n", (unsigned long long)(t / mib), mib);
    return 0;
}

static int by_value(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int do_rand(const char *file, uint32_t n, uint8_t *buf) {
    static uint64_t samples[MAX_RAND];
    int fd = open(file, O_RDONLY);
    if (fd < 0) return fail("open", file);
    struct stat st;
    if (fstat(fd, &st) != 0) { close(fd); return fail("fstat", file); }
    uint64_t pages = (uint64_t)st.st_size / PAGE, x = 0x2545F4914F6CDD1Dull;
    if (pages == 0) { close(fd); fprintf(stderr, "lxstorage: %s: shorter than 4 KiB\n", file); return 1; }
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;   /* xorshift64: the same offsets on both kernels */
        uint64_t off = x % pages * PAGE;
        uint64_t t0 = now();
        ssize_t r = pread(fd, buf, PAGE, (off_t)off);
        samples[i] = now() - t0;
        if (r != (ssize_t)PAGE) { if (r >= 0) errno = EIO; close(fd); return fail("pread", file); }
        if (check(buf, off, PAGE) != 0) {
            close(fd);
            fprintf(stderr, "lxstorage: %s: wrong data at %llu\n", file, (unsigned long long)off);
            return 1;
        }
    }
    close(fd);
    qsort(samples, n, sizeof samples[0], by_value);
    printf("BENCH rand_read_4k %llu %u %llu %llu %llu\n", (unsigned long long)samples[n / 2], n,
           (unsigned long long)samples[0], (unsigned long long)samples[n / 10],
           (unsigned long long)samples[n * 9 / 10]);
    return 0;
}

static int count(const char *s, uint32_t dflt, uint32_t max, uint32_t *out) {
    if (!s) { *out = dflt; return 0; }
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v < 1 || v > max) return -1;
    *out = (uint32_t)v;
    return 0;
}

int main(int argc, char **argv) {
    uint32_t k;
    if (argc < 3 || argc > 4) goto usage;
    uint8_t *buf = aligned_alloc(PAGE, MIB);
    if (!buf) { fprintf(stderr, "lxstorage: out of memory\n"); return 1; }
    int r;
    if (!strcmp(argv[1], "write") && count(argv[3], 64, 4096, &k) == 0) r = do_write(argv[2], k, buf);
    else if (!strcmp(argv[1], "read") && argc == 3) r = do_read(argv[2], buf);
    else if (!strcmp(argv[1], "rand") && count(argv[3], 1000, MAX_RAND, &k) == 0) r = do_rand(argv[2], k, buf);
    else goto usage;
    fflush(stdout);
    return r;
usage:
    fprintf(stderr, "usage: lxstorage write FILE [MIB] | read FILE | rand FILE [N]\n");
    return 2;
}

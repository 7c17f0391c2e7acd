/* t_mm: the Linux memory calls from a musl program (raw system calls, so
 * the results are the kernel's, not libc's): mmap / munmap / mprotect /
 * brk / madvise / mremap results and errors, W^X refusals, MAP_FIXED in
 * and outside the user half, private file mappings. Prints "FAIL <what> ..." per mismatch and
 * "t_mm: N failed"; the exit status is the number of failures.
 * Usage: t_mm            every check
 *        t_mm hole       munmap a page inside a mapping, then touch it (must be killed)
 *        t_mm none       touch a PROT_NONE page (must be killed)
 *        t_mm budget     touch 256 MiB of one mapping (must be killed: memory limit)
 *        t_mm brkbudget  grow the break page by page and touch it (must be refused, then fine) */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static int failures;

#define CHECK(what, cond, ...) do {                                   \
    if (!(cond)) { failures++; printf("FAIL %s: ", what); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static long sc6(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
    long r;
    register long r10 __asm__("r10") = a3, r8 __asm__("r8") = a4, r9 __asm__("r9") = a5;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return r;
}

static long xmmap(long addr, long len, long prot, long flags) { return sc6(SYS_mmap, addr, len, prot, flags, -1, 0); }
static long xmunmap(long addr, long len) { return sc6(SYS_munmap, addr, len, 0, 0, 0, 0); }
static long xmprotect(long addr, long len, long prot) { return sc6(SYS_mprotect, addr, len, prot, 0, 0, 0); }
static long xbrk(long addr) { return sc6(SYS_brk, addr, 0, 0, 0, 0, 0); }

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define PG 4096L

/* File-backed, page aligned data: stands for glibc's RELRO pages. */
static char relro[2 * PG] __attribute__((aligned(4096))) = { 1 };

static void t_mmap_munmap(void) {
    long a = xmmap(0, 3 * PG, RW, ANON);
    CHECK("mmap anon", a > 0 && !(a & (PG - 1)), "%ld", a);
    if (a <= 0) return;
    volatile char *p = (volatile char *)a;
    CHECK("demand zero", p[0] == 0 && p[3 * PG - 1] == 0, "not zero");
    p[0] = 1; p[PG] = 2; p[2 * PG] = 3;
    CHECK("munmap middle", xmunmap(a + PG, PG) == 0, "refused");
    CHECK("pieces stay", p[0] == 1 && p[2 * PG] == 3, "lost");
    CHECK("munmap unaligned", xmunmap(a + 1, PG) == -EINVAL, "wrong result");
    CHECK("munmap len 0", xmunmap(a, 0) == -EINVAL, "wrong result");
    CHECK("munmap kernel half", xmunmap((long)0xffff800000000000UL, PG) == -EINVAL, "wrong result");
    CHECK("munmap unmapped ok", xmunmap(a + PG, PG) == 0, "wrong result");
    CHECK("munmap rest", xmunmap(a, 3 * PG) == 0, "wrong result");
    long b = xmmap(0, 5 * PG, PROT_READ, ANON);
    CHECK("mmap read-only", b > 0 && ((volatile char *)b)[4 * PG] == 0, "%ld", b);
    CHECK("munmap ro", xmunmap(b, 5 * PG) == 0, "wrong result");
    CHECK("mmap len 0", xmmap(0, 0, RW, ANON) == -EINVAL, "wrong result");
    CHECK("mmap shared", xmmap(0, PG, RW, MAP_SHARED | MAP_ANONYMOUS) == -EINVAL, "wrong result");
    CHECK("mmap console", sc6(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, 0, 0) == -EACCES, "wrong result");
    long h = xmmap(1L << 40, 1L << 30, RW, ANON); /* huge, lazy: nothing is paid for until touched */
    CHECK("mmap 1 GiB", h > 0, "%ld", h);
    if (h > 0) { ((volatile char *)h)[(1L << 30) - 1] = 7; CHECK("munmap 1 GiB", xmunmap(h, 1L << 30) == 0, "wrong result"); }
    CHECK("mremap enosys", sc6(SYS_mremap, 0, PG, 2 * PG, 0, 0, 0) == -ENOSYS, "wrong result");
}

static void t_wx(void) {
    CHECK("mmap W+X", xmmap(0, PG, RW | PROT_EXEC, ANON) == -EACCES, "wrong result");
    CHECK("mmap X", xmmap(0, PG, PROT_READ | PROT_EXEC, ANON) == -EPERM, "wrong result");
    long a = xmmap(0, PG, RW, ANON);
    CHECK("mprotect W+X", xmprotect(a, PG, RW | PROT_EXEC) == -EACCES, "wrong result");
    CHECK("mprotect data to X", xmprotect(a, PG, PROT_READ | PROT_EXEC) == -EACCES, "wrong result");
    ((volatile char *)a)[0] = 5;
    CHECK("mprotect RW->R", xmprotect(a, PG, PROT_READ) == 0 && ((volatile char *)a)[0] == 5, "wrong result");
    CHECK("mprotect R->X", xmprotect(a, PG, PROT_READ | PROT_EXEC) == -EACCES, "wrong result");
    CHECK("mprotect R->RW", xmprotect(a, PG, RW) == 0, "wrong result");
    ((volatile char *)a)[1] = 6;
    xmunmap(a, PG);
    long text = (long)(uintptr_t)&t_wx & ~(PG - 1);
    CHECK("mprotect text W", xmprotect(text, PG, RW) == -EACCES, "wrong result");
    CHECK("mprotect text WX", xmprotect(text, PG, RW | PROT_EXEC) == -EACCES, "wrong result");
    CHECK("mprotect text RX", xmprotect(text, PG, PROT_READ | PROT_EXEC) == 0, "wrong result");
    /* RELRO: the image's own data page becomes read-only, and readable. */
    CHECK("relro RW->R", xmprotect((long)relro, PG, PROT_READ) == 0 && relro[0] == 1, "wrong result");
    CHECK("relro R->X", xmprotect((long)relro, PG, PROT_READ | PROT_EXEC) == -EACCES, "wrong result");
    CHECK("relro back RW", xmprotect((long)relro, PG, RW) == 0, "wrong result");
    relro[1] = 2;
    CHECK("mprotect unaligned", xmprotect((long)relro + 1, PG, PROT_READ) == -EINVAL, "wrong result");
    CHECK("mprotect unmapped", xmprotect(0x7000000000L, PG, PROT_READ) == -ENOMEM, "wrong result");
    CHECK("mprotect kernel", xmprotect((long)0xffffffff80100000UL, PG, PROT_READ) == -ENOMEM, "wrong result");
}

static void t_fixed(void) {
    long want = 0x100000000L;
    long a = xmmap(want, 2 * PG, RW, ANON | MAP_FIXED);
    CHECK("MAP_FIXED", a == want, "%ld", a);
    if (a != want) return;
    ((volatile char *)a)[0] = 9;
    CHECK("FIXED_NOREPLACE busy", xmmap(want, PG, RW, ANON | MAP_FIXED_NOREPLACE) == -EEXIST, "wrong result");
    CHECK("FIXED replaces", xmmap(want, PG, RW, ANON | MAP_FIXED) == want && ((volatile char *)a)[0] == 0, "wrong result");
    CHECK("FIXED_NOREPLACE free", xmmap(want + 4 * PG, PG, RW, ANON | MAP_FIXED_NOREPLACE) == want + 4 * PG, "wrong result");
    CHECK("FIXED over image", xmmap((long)relro, PG, RW, ANON | MAP_FIXED) == (long)relro && relro[0] == 0, "wrong result");
    CHECK("FIXED kernel half", xmmap((long)0xffff800000000000UL, PG, RW, ANON | MAP_FIXED) == -ENOMEM, "wrong result");
    CHECK("FIXED non-canonical", xmmap(0x0000800000000000L, PG, RW, ANON | MAP_FIXED) == -ENOMEM, "wrong result");
    CHECK("FIXED runs off the half", xmmap(0x00007ffffffff000L, 2 * PG, RW, ANON | MAP_FIXED) == -ENOMEM, "wrong result");
    CHECK("FIXED page 0", xmmap(0, PG, RW, ANON | MAP_FIXED) == -EPERM, "wrong result");
    CHECK("FIXED unaligned", xmmap(want + 1, PG, RW, ANON | MAP_FIXED) == -EINVAL, "wrong result");
    CHECK("FIXED device area", xmmap(0x300000000000L, PG, RW, ANON | MAP_FIXED) == -EPERM, "wrong result");
    CHECK("FIXED W+X", xmmap(want, PG, RW | PROT_EXEC, ANON | MAP_FIXED) == -EACCES, "wrong result");
    long h = xmmap(0x180000000L, PG, RW, ANON);
    CHECK("hint taken", h == 0x180000000L, "%ld", h);
    long h2 = xmmap(0x180000000L, PG, RW, ANON);
    CHECK("busy hint moves", h2 > 0 && h2 != h, "%ld", h2);
    long kh = xmmap((long)0xffff800000000000UL, PG, RW, ANON);
    CHECK("kernel hint ignored", kh > 0 && kh < 0x800000000000L, "%ld", kh);
    xmunmap(want, 8 * PG); xmunmap(h, PG); xmunmap(h2, PG); xmunmap(kh, PG);
    long n = xmmap(0, 2 * PG, PROT_NONE, ANON);
    CHECK("PROT_NONE", n > 0, "%ld", n);
    CHECK("NONE->RW", xmprotect(n, PG, RW) == 0, "wrong result");
    ((volatile char *)n)[0] = 1;
    CHECK("RW->NONE->R keeps data", xmprotect(n, PG, PROT_NONE) == 0 && xmprotect(n, PG, PROT_READ) == 0 &&
          ((volatile char *)n)[0] == 1, "wrong result");
    xmunmap(n, 2 * PG);
}

static void t_brk(void) {
    long b0 = xbrk(0);
    CHECK("brk(0)", b0 > 0, "%ld", b0);
    long b1 = xbrk(b0 + 100000);
    CHECK("brk grows", b1 == b0 + 100000, "%ld vs %ld", b1, b0);
    if (b1 == b0 + 100000) {
        memset((void *)b0, 0x5a, 100000);
        CHECK("heap holds", ((volatile char *)b0)[99999] == 0x5a, "wrong result");
    }
    CHECK("brk shrinks", xbrk(b0 + 10) == b0 + 10, "wrong result");
    CHECK("brk regrows zeroed", xbrk(b0 + 3 * PG) == b0 + 3 * PG && ((volatile char *)b0)[2 * PG] == 0 &&
          ((volatile char *)b0)[5] == 0x5a, "wrong result");
    CHECK("brk over budget", xbrk(b0 + (1L << 30)) == b0 + 3 * PG, "wrong result");
    CHECK("brk below start", xbrk(b0 - PG) == b0 + 3 * PG, "wrong result");
    CHECK("brk kernel", xbrk((long)0xffff800000000000UL) == b0 + 3 * PG, "wrong result");
    CHECK("brk back", xbrk(b0) == b0, "wrong result");
    /* madvise(DONTNEED): the next touch reads zeros. */
    long a = xmmap(0, PG, RW, ANON);
    ((volatile char *)a)[0] = 4;
    CHECK("madvise", sc6(SYS_madvise, a, PG, MADV_DONTNEED, 0, 0, 0) == 0 && ((volatile char *)a)[0] == 0, "wrong result");
    CHECK("madvise other", sc6(SYS_madvise, a, PG, MADV_WILLNEED, 0, 0, 0) == 0, "wrong result");
    xmunmap(a, PG);
}

static void t_file(void) {
    char head[64], *m;
    long fd = sc6(SYS_open, (long)"/bin/t_mm", 0, 0, 0, 0, 0);
    CHECK("open self", fd >= 0, "%ld", fd);
    if (fd < 0) return;
    long n = sc6(SYS_read, fd, (long)head, sizeof head, 0, 0, 0);
    CHECK("read self", n == sizeof head, "%ld", n);
    long a = sc6(SYS_mmap, 0, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK("mmap file", a > 0 && !memcmp((void *)a, head, sizeof head) && !memcmp((void *)a, "\x7f" "ELF", 4), "%ld", a);
    long b = sc6(SYS_mmap, 0, PG, RW, MAP_PRIVATE, fd, PG);
    if (b > 0) {
        m = (char *)b;
        char was = m[0];
        m[0] = (char)(was + 1); /* private: the file stays as it is */
        char again[1];
        sc6(SYS_lseek, fd, PG, 0 /* SEEK_SET */, 0, 0, 0);
        CHECK("private write", sc6(SYS_read, fd, (long)again, 1, 0, 0, 0) == 1 && again[0] == was, "file changed");
        xmunmap(b, PG);
    } else CHECK("mmap file RW", 0, "%ld", b);
    CHECK("mmap file X", sc6(SYS_mmap, 0, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == -EPERM, "wrong result");
    CHECK("mmap file off", sc6(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, fd, 100) == -EINVAL, "wrong result");
    CHECK("mmap file shared", sc6(SYS_mmap, 0, PG, PROT_READ, MAP_SHARED, fd, 0) == -EINVAL, "wrong result");
    CHECK("mmap bad fd", sc6(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, 77, 0) == -EBADF, "wrong result");
    CHECK("mmap past eof", (b = sc6(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, fd, 1L << 30)) > 0 &&
          ((volatile char *)b)[0] == 0, "%ld", b);
    xmunmap(b, PG);
    xmunmap(a, 3 * PG);
    sc6(SYS_close, fd, 0, 0, 0, 0, 0);
}

static void t_many(void) {
    /* A hundred separate mappings, a split of each, then up to the region
     * table's limit (256 per process): the split that finds no slot is
     * refused with -ENOMEM and leaves the mapping whole. */
    static long m[400];
    int n = 0, bad = 0;
    for (; n < 100; n++) if ((m[n] = xmmap(0, 3 * PG, RW, ANON)) < 0) break;
    CHECK("100 mappings", n == 100, "%d", n);
    for (int i = 0; i < n; i++) bad += xmunmap(m[i] + PG, PG) != 0;
    CHECK("100 splits", bad == 0, "%d", bad);
    for (; n < 400; n++) if ((m[n] = xmmap(0, 3 * PG, RW, ANON)) < 0) break;
    CHECK("table full", n < 400 && m[n] == -ENOMEM, "%d %ld", n, m[n]);
    if (n > 100 && n < 400) {
        long last = m[n - 1];
        ((volatile char *)last)[PG] = 8;
        CHECK("split without a slot", xmunmap(last + PG, PG) == -ENOMEM && ((volatile char *)last)[PG] == 8, "wrong result");
        CHECK("mprotect without a slot", xmprotect(last + PG, PG, PROT_READ) == -ENOMEM, "wrong result");
    }
    for (int i = 0; i < n; i++) xmunmap(m[i], 3 * PG);
    long again = xmmap(0, 3 * PG, RW, ANON);
    CHECK("slots back", again > 0, "%ld", again);
    xmunmap(again, 3 * PG);
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "hole")) {
        long a = xmmap(0, 3 * PG, RW, ANON);
        xmunmap(a + PG, PG);
        ((volatile char *)a)[0] = 1;
        printf("t_mm: touching the hole at %#lx\n", a + PG);
        ((volatile char *)a)[PG] = 1;
        printf("t_mm: NOT killed\n");
        return 1;
    }
    if (argc > 1 && !strcmp(argv[1], "none")) {
        long a = xmmap(0, PG, PROT_NONE, ANON);
        printf("t_mm: touching PROT_NONE at %#lx\n", a);
        (void)((volatile char *)a)[0];
        printf("t_mm: NOT killed\n");
        return 1;
    }
    if (argc > 1 && !strcmp(argv[1], "budget")) {
        long len = 256L << 20, a = xmmap(0, len, RW, ANON);
        for (long off = 0; off < len; off += PG) ((volatile char *)a)[off] = 1;
        printf("t_mm: NOT limited\n");
        return 1;
    }
    if (argc > 1 && !strcmp(argv[1], "brkbudget")) {
        long b0 = xbrk(0), b = b0, got;
        while ((got = xbrk(b + 16 * PG)) == b + 16 * PG) { memset((void *)b, 1, 16 * PG); b = got; }
        printf("t_mm: brk refused after %ld KiB, break unchanged: %s\n", (b - b0) >> 10, got == b ? "yes" : "no");
        return got == b && b - b0 > (32L << 20) ? 0 : 1;
    }
    t_mmap_munmap();
    t_wx();
    t_fixed();
    t_brk();
    t_file();
    t_many();
    printf("t_mm: %d failed\n", failures);
    return failures;
}

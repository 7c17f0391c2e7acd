/* fuzz <count> <seed>: random system calls with hostile arguments.
 *
 * The calls are numbered 0..count-1 and call i is a pure function of (seed,
 * i): its own xorshift64 stream, seeded through splitmix64, draws the number
 * and every argument. So a run is reproducible, any single call can be
 * replayed, and the parent knows without asking where a child will exit.
 *
 * The work runs in children (`fuzz --child <first> <n> <seed>`), one after
 * another, each doing a slice of SLICE calls; a child may die: SYS_exit is one
 * of the fuzzed calls (rarely: 1 in EXIT_ODDS), and the kernel may kill it.
 * The parent replays the first draw of each call of a slice to find where
 * the child will exit and with which status; a child that ends otherwise was
 * killed (status 128 + vector) - which the final line reports by vector.
 * The next child starts right after the last call the previous one made.
 *
 * What is never done, so that no call blocks for long or disturbs anything
 * outside the fuzzer:
 *  - read on descriptors 0..2 (the console: it would wait for a key) with a
 *    non-zero length and a buffer the kernel could accept; write on 1..2
 *    with anything readable (the serial console would print garbage);
 *  - sleep for more than 1 ms (random values are mostly > 1 hour: -EINVAL);
 *  - spawn anything but `true` (the only real program name it uses);
 *  - name a path that could be created, removed or renamed: every path is a
 *    hostile pointer or lies below /sys (immutable) or below a directory that
 *    does not exist, names an immutable boot file, or is too long or has
 *    control bytes; random path bytes never contain '.', so no ".." escapes;
 *  - hand the kernel a writable pointer to its own state: kernel writes go to
 *    a scratch mapping (or fuzzed mappings the fuzzer never touches itself),
 *    to read-only pages, or to hostile addresses.
 * So after the children are reaped the kernel must hold exactly what it held
 * before: frames, heap, process slots, descriptors (tests/qemu/test_fuzz.py).
 *
 * Output: a progress line every PROGRESS calls and the summary
 *   fuzz: <count> calls in <k> children, <d> children died (<reasons>)
 * where <reasons> is "exit=<n>" plus "killed#PF=<n>" etc. for children the
 * kernel killed (none expected) - the parent also prints their call range.
 *
 * Modes and options:
 *   fuzz <count> <seed> [-v] [-t]         the run described above
 *   fuzz --child <first> <n> <seed> [-v] [-t]   one slice, in this process
 *   fuzz --bound <count> <seed> <ndev>    Driver Space with bound devices (see below)
 *   -v  each child prints the TSC cycles spent per system call number
 *   -t  each call is printed before it is made: `run fuzz --child <first>
 *       20000 <seed> -t` shows the last call before a kernel panic
 */
#include "ulib.h"
#include "lib/printf.h"
#include <secos/driver.h>

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

#define SLICE      20000ul      /* calls per child */
#define EXIT_ODDS  50000ul      /* 1 in EXIT_ODDS calls is SYS_exit */
#define PROGRESS   100000ul

#define KERNEL_IMAGE 0xffffffff80100000ul
#define PHYSMAP      0xffff800000000000ul
#define KSTACKS      0xffffff8000000000ul
#define UNMAPPED     0x0000100000000000ul   /* below the mmap area, never mapped */

/* ---- the generator ---------------------------------------------------------- */

static uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t rng;
static uint64_t rnd(void) {   /* xorshift64 */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static uint64_t below(uint64_t n) { return rnd() % n; }
static int one_in(uint64_t n) { return below(n) == 0; }

static void seed_call(uint64_t seed, uint64_t i) {
    rng = splitmix64(seed ^ splitmix64(i + 1));
    if (!rng) rng = 1;
}

/* The first draw of call i decides whether it is SYS_exit; the second is the
 * exit status. Both the child and the parent (replaying) use this. */
static int call_exits(uint64_t seed, uint64_t i, int *status) {
    seed_call(seed, i);
    if (rnd() % EXIT_ODDS != 0) return 0;
    *status = (int)(rnd() & 0x7f);    /* below 128, so it cannot look like a kill */
    return 1;
}

/* ---- the child's world -------------------------------------------------------- */

/* Scratch: one mapping of SCRATCH_PAGES pages; the kernel may write anywhere
 * in it. The page after it is the kernel's unmapped gap between regions, so a
 * range running off its end is refused, never into our own state. */
#define SCRATCH_PAGES 4
#define SCRATCH_SIZE  (SCRATCH_PAGES * 4096ul)
static unsigned char *scratch;

/* Regions the fuzzed mmap calls created (never touched by the fuzzer). */
#define MAX_REGIONS 32
static struct { uint64_t addr, len; } regions[MAX_REGIONS];
static unsigned nregions;

/* Descriptors the fuzzed open calls returned. */
#define MAX_FDS 16
static long fds[MAX_FDS];
static unsigned nfds;

static const char rodata_text[64] = "read-only bytes: the kernel must not write here";

/* Pointers no system call may accept, for reading or writing, now or with
 * any future user layout: null page, kernel half, non-canonical, wrapping. */
static uint64_t kbad_ptr(void) {
    switch (below(10)) {
    case 0: return 0;
    case 1: return below(4096);                                   /* the null page */
    case 2: return KERNEL_IMAGE + below(1 << 20);
    case 3: return PHYSMAP + below(1ull << 30);
    case 4: return KSTACKS + below(1 << 20);
    case 5: return 0x0000800000000000ull + below(1 << 20);       /* first non-canonical */
    case 6: return 0x0000800000000000ull - below(64);             /* runs into it */
    case 7: return ~0ull - below(4096);                           /* wraps */
    case 8: return rnd() | 0xffff000000000000ull;
    default: return rnd() | 0x8000000000000000ull;
    }
}

/* ... plus user addresses nothing is mapped at (in today's layout). */
static uint64_t bad_ptr(void) {
    switch (below(6)) {
    case 0: return UNMAPPED + (below(1 << 20) << 12) + below(4096);
    case 1: return 0x00007ffffffff000ull + below(4096);           /* the user half's last page */
    case 2: return 0x0000300000000000ull + below(1 << 20);       /* DRIVER_MAP_BASE: nothing bound */
    default: return kbad_ptr();
    }
}

/* Pointers the kernel may read but must not write (our own image). */
static uint64_t ro_ptr(void) {
    switch (below(3)) {
    case 0: return (uint64_t)rodata_text + below(sizeof rodata_text);
    case 1: return (uint64_t)(unsigned long)bad_ptr + below(64);  /* text */
    default: return 0x400000 + below(4096);
    }
}

/* Pointers the kernel may read and write: scratch (any alignment, including
 * ranges off its end) or a fuzzed mapping. */
static uint64_t rw_ptr(void) {
    if (nregions && one_in(4)) {
        unsigned r = (unsigned)below(nregions);
        return regions[r].addr + below(regions[r].len + 64);
    }
    if (one_in(8)) return (uint64_t)scratch + SCRATCH_SIZE - below(64);   /* runs off the end */
    return (uint64_t)scratch + below(SCRATCH_SIZE);
}

static uint64_t any_ptr(void) {
    switch (below(4)) {
    case 0: case 1: return bad_ptr();
    case 2: return ro_ptr();
    default: return rw_ptr();
    }
}

static uint64_t any_len(void) {
    switch (below(12)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return below(64);
    case 3: return below(8192);
    case 4: return 4096 + below(3) - 1;
    case 5: return 1ull << (12 + below(36));
    case 6: return ~0ull - below(16);
    case 7: return 0x7fffffffffffffffull;
    case 8: return 0x0000800000000000ull;
    case 9: return (uint64_t)-(int64_t)below(4096);
    case 10: return 1ull << 32;
    default: return rnd();
    }
}

/* Any descriptor value: small, our own, closed, negative, truncated. */
static uint64_t any_fd(void) {
    switch (below(9)) {
    case 0: return below(8);
    case 1: return below(64);
    case 2: return (uint64_t)-(int64_t)(1 + below(4));
    case 3: return 0x100000000ull + below(4);      /* (int) truncation: 0..3 */
    case 4: return rnd();
    case 5: return 0x7fffffff;
    case 6: if (nfds) return (uint64_t)fds[below(nfds)]; return below(8);
    case 7: if (nfds) return (uint64_t)fds[below(nfds)] | (rnd() << 32); return 3 + below(13);  /* junk above int */
    default: return 3 + below(13);
    }
}

/* mmap lengths: mostly up to 1 MiB, some up to 64 MiB, rarely anything.
 * (munmap walks every page of a region, so 4 GiB regions are kept rare or
 * they would take most of the run.) */
static uint64_t mmap_len(void) {
    if (one_in(16)) return any_len();
    if (one_in(8)) return (1ull << (20 + below(7))) + below(2) * below(4096);
    return 1 + below(1 << 20);
}

static int fd_is_console(uint64_t fd) { int f = (int)fd; return f >= 0 && f <= 2; }

static void fill_random(unsigned char *p, uint64_t n) {
    for (uint64_t k = 0; k < n; k += 8) {
        uint64_t v = rnd();
        for (uint64_t b = 0; b < 8 && k + b < n; b++) p[k + b] = (unsigned char)(v >> (8 * b));
    }
}

/* Path strings are built in scratch (the kernel may overwrite it later; they
 * are rebuilt for every call). */
static char *path_buf(unsigned which) { return (char *)scratch + 8192 + which * 1024; }

/* Random tail of a path: never '.', first byte a letter, NUL-terminated. */
static void random_tail(char *p, uint64_t n) {
    fill_random((unsigned char *)p, n);
    p[0] = (char)('a' + below(26));
    for (uint64_t k = 0; k < n; k++)
        if (p[k] == '.') p[k] = 'x';
    p[n] = 0;
}

static const char *const fixed_paths[] = {
    "/VERSION", "/sys/syscalls.txt", "/sys/manifest.txt", "/sys", "/", "", "//", "/sys/",
    "/no-such-dir-fuzz/x", "/sys/x", "/VERSION/x", "/sys/syscalls.txt/", "/sys/bin", "/sys/sys/",
};

/* A path argument (a user pointer) that cannot create, remove or rename
 * anything; which selects one of two buffers (rename has two paths). */
static uint64_t any_path(unsigned which) {
    char *p = path_buf(which);
    switch (below(8)) {
    case 0: case 1: return bad_ptr();
    case 2: return (uint64_t)fixed_paths[below(sizeof fixed_paths / sizeof fixed_paths[0])];
    case 3: memcpy(p, "/sys/", 5); random_tail(p + 5, 1 + below(80)); return (uint64_t)p;
    case 4: memcpy(p, "/no-such-dir-fuzz/", 18); random_tail(p + 18, 1 + below(80)); return (uint64_t)p;
    case 5: memset(p, 'a', 1000); p[0] = '/'; p[1000] = 0; return (uint64_t)p;   /* too long */
    case 6: memset(p, 'b', 1023); p[0] = '/'; return (uint64_t)p + below(16);     /* runs on into later buffers: too long */
    default: p[0] = '/'; p[1] = 1 + (char)below(31); p[2] = 0; return (uint64_t)p;  /* control byte */
    }
}

/* spawn: `true` sometimes, everything else hostile or non-existent. */
static uint64_t spawn_path(void) {
    switch (below(10)) {
    case 0: return (uint64_t)(one_in(2) ? "true" : "/bin/true");
    case 1: return (uint64_t)"no-such-program";
    case 2: return (uint64_t)"/bin/";
    case 3: return (uint64_t)"";
    default: return any_path(0);
    }
}

static uint64_t spawn_argv(void) {
    uint64_t *v = (uint64_t *)(scratch + 4096);
    switch (below(6)) {
    case 0: return 0;
    case 1: return bad_ptr();
    case 2: fill_random((unsigned char *)v, 8 * 20); return (uint64_t)v;      /* random pointers */
    case 3: {   /* too many */
        for (int k = 0; k < SPAWN_MAX_ARGS + 4; k++) v[k] = (uint64_t)"x";
        v[SPAWN_MAX_ARGS + 4] = 0;
        return (uint64_t)v;
    }
    case 4: {   /* a hostile element */
        v[0] = (uint64_t)"true";
        v[1] = bad_ptr();
        v[2] = 0;
        return (uint64_t)v;
    }
    default: {  /* fine, maybe with a long argument */
        char *a = path_buf(1);
        uint64_t n = below(2) ? 8 : SPAWN_MAX_ARG_LEN + below(16) - 8;
        memset(a, 'q', n);
        a[n] = 0;
        v[0] = (uint64_t)"true";
        v[1] = (uint64_t)a;
        v[2] = 0;
        return (uint64_t)v + (one_in(16) ? 1 + below(7) : 0);               /* misaligned array */
    }
    }
}

static uint64_t driver_call(void) {
    if (one_in(4)) return any_ptr();
    driver_call_t *c = (driver_call_t *)(scratch + 3 * 4096 + (one_in(8) ? below(64) : 0));
    fill_random((unsigned char *)c, sizeof *c);
    if (!one_in(4)) c->opcode = (uint32_t)below(DRIVER_OP_COUNT + 2);
    if (!one_in(4)) c->device_id = (uint32_t)below(8);
    if (one_in(2)) c->reg_offset = below(256) & ~7ull;
    if (one_in(2)) c->mem_offset = below(16) * DRIVER_PAGE_SIZE;
    if (one_in(2)) c->mem_length = below(16) * DRIVER_PAGE_SIZE;
    if (one_in(2)) c->flags = (uint32_t)below(4);
    return (uint64_t)c;
}

/* ---- one call ------------------------------------------------------------------ */

static long do_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                       int int80, int flags) {
    register uint64_t r10 __asm__("r10") = a3;
    register uint64_t r8 __asm__("r8") = a4;
    register uint64_t r9 __asm__("r9") = a5;
    long ret;
    if (flags) {   /* DF and AC on across the call: the kernel must not care */
        if (int80)
            __asm__ volatile("sub $128, %%rsp\n\tpushfq\n\tpushfq\n\torq $0x40400, (%%rsp)\n\tpopfq\n\t"
                             "int $0x80\n\tpopfq\n\tadd $128, %%rsp"
                             : "=a"(ret), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
                             : "a"(nr) : "memory", "cc");
        else
            __asm__ volatile("sub $128, %%rsp\n\tpushfq\n\tpushfq\n\torq $0x40400, (%%rsp)\n\tpopfq\n\t"
                             "syscall\n\tpopfq\n\tadd $128, %%rsp"
                             : "=a"(ret), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
                             : "a"(nr) : "rcx", "r11", "memory", "cc");
    } else if (int80) {
        __asm__ volatile("int $0x80"
                         : "=a"(ret), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
                         : "a"(nr) : "memory", "cc");
    } else {
        __asm__ volatile("syscall"
                         : "=a"(ret), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
                         : "a"(nr) : "rcx", "r11", "memory", "cc");
    }
    return ret;
}

/* Weighted choice of a system call number (exit is decided separately). */
static const struct { unsigned char nr, weight; } menu[] = {
    {SYS_yield, 1}, {SYS_write, 3}, {SYS_read, 3}, {SYS_getpid, 1}, {SYS_sleep, 1},
    {SYS_spawn, 2}, {SYS_wait, 2}, {SYS_mmap, 3}, {SYS_munmap, 3}, {SYS_open, 3},
    {SYS_close, 2}, {SYS_lseek, 2}, {SYS_readdir, 2}, {SYS_mkdir, 2}, {SYS_unlink, 2},
    {SYS_rename, 2}, {SYS_driver, 3},
};

static uint64_t pick_number(void) {
    if (one_in(16)) {   /* beyond the table */
        switch (below(4)) {
        case 0: return SYS_COUNT + below(64);
        case 1: return (uint64_t)-(int64_t)(1 + below(64));
        case 2: return 0x100000000ull + below(SYS_COUNT);   /* (int) truncation must not wrap into the table */
        default: return rnd() | 0x8000000000000000ull;
        }
    }
    unsigned total = 0;
    for (unsigned k = 0; k < sizeof menu / sizeof menu[0]; k++) total += menu[k].weight;
    unsigned w = (unsigned)below(total);
    for (unsigned k = 0; k < sizeof menu / sizeof menu[0]; k++) {
        if (w < menu[k].weight) return menu[k].nr;
        w -= menu[k].weight;
    }
    return SYS_getpid;
}

/* -v: cycles spent per system call number, printed by each child.
 * -t: every call printed before it is made (to find the one that kills the
 *     kernel: `run fuzz --child <first> <n> <seed> -t` replays one slice). */
static int verbose, trace;
static uint64_t stat_calls[SYS_COUNT + 1], stat_cycles[SYS_COUNT + 1];
static uint64_t rdtsc(void) {
    unsigned lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static long one_call(uint64_t seed, uint64_t i) {
    int status;
    if (call_exits(seed, i, &status)) {
        sys_exit(status);
    }
    uint64_t nr = pick_number();
    uint64_t a[6];
    for (int k = 0; k < 6; k++) a[k] = one_in(2) ? rnd() : any_ptr();   /* junk in unused registers too */
    int int80 = (int)below(2), flags = one_in(8);

    switch (nr) {
    case SYS_yield: case SYS_getpid:
        break;
    case SYS_write:
        a[0] = any_fd();
        a[2] = any_len();
        /* Never anything printable on the console: only pointers that
         * cannot be read, whatever the layout. */
        a[1] = fd_is_console(a[0]) ? kbad_ptr() : any_ptr();
        break;
    case SYS_read:
        a[0] = any_fd();
        a[2] = any_len();
        if (fd_is_console(a[0]) && a[2] != 0)
            a[1] = one_in(2) ? ro_ptr() : kbad_ptr();   /* refused before any wait */
        else
            a[1] = one_in(2) ? rw_ptr() : any_ptr();
        break;
    case SYS_sleep:
        a[0] = one_in(32) ? below(2) : (one_in(2) ? 3600001 + below(1000) : rnd() | (1ull << 40));
        if (a[0] == 1 && !one_in(8)) a[0] = 0;
        break;
    case SYS_spawn:
        a[0] = spawn_path();
        a[1] = spawn_argv();
        a[2] = one_in(2) ? 0 : rnd();
        break;
    case SYS_wait:
        a[0] = one_in(4) ? (uint64_t)-1 : one_in(2) ? below(80) : rnd();
        a[1] = one_in(4) ? 0 : one_in(2) ? rw_ptr() : bad_ptr();
        break;
    case SYS_mmap:
        a[0] = one_in(4) ? any_ptr() : 0;
        a[1] = mmap_len();
        a[2] = one_in(4) ? rnd() : below(8);
        break;
    case SYS_munmap:
        if (nregions && one_in(2)) {
            unsigned r = (unsigned)below(nregions);
            a[0] = regions[r].addr + (one_in(8) ? below(8192) : 0);
            a[1] = one_in(2) ? regions[r].len : any_len();
        } else {
            a[0] = one_in(4) ? (uint64_t)scratch + 4096 * below(SCRATCH_PAGES) + 4096 : any_ptr();
            a[1] = any_len();
        }
        if (a[0] == (uint64_t)scratch) a[0]++;   /* never the scratch region itself */
        break;
    case SYS_open:
        a[0] = any_path(0);
        if (one_in(4)) a[1] = one_in(2) ? below(0x1000) : rnd();
        else a[1] = below(4) | (one_in(2) ? O_CREAT : 0) | (one_in(2) ? O_TRUNC : 0) | (one_in(2) ? O_APPEND : 0);
        break;
    case SYS_close:
        a[0] = any_fd();
        break;
    case SYS_lseek:
        a[0] = any_fd();
        a[1] = one_in(2) ? any_len() : (uint64_t)-(int64_t)below(100000);
        a[2] = one_in(2) ? below(4) : rnd();
        break;
    case SYS_readdir:
        a[0] = any_path(0);
        a[1] = one_in(2) ? below(8) : rnd();
        a[2] = one_in(2) ? rw_ptr() : any_ptr();
        a[3] = any_len();
        break;
    case SYS_mkdir: case SYS_unlink:
        a[0] = any_path(0);
        break;
    case SYS_rename:
        a[0] = any_path(0);
        a[1] = any_path(1);
        break;
    case SYS_driver:
        a[0] = driver_call();
        break;
    default:
        break;  /* beyond the table: everything random */
    }

    if (trace)
        printf("fuzz: call %lu: nr=%#lx %s%s args %#lx %#lx %#lx %#lx %#lx %#lx\n", i, nr, int80 ? "int80" : "syscall",
               flags ? "+DF+AC" : "", a[0], a[1], a[2], a[3], a[4], a[5]);
    uint64_t t0 = verbose ? rdtsc() : 0;
    long r = do_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5], int80, flags);
    if (verbose) {
        unsigned k = nr < SYS_COUNT ? (unsigned)nr : SYS_COUNT;
        stat_calls[k]++;
        stat_cycles[k] += rdtsc() - t0;
    }

    /* Remember what we own, to hand it back in later calls. */
    if (nr == SYS_mmap && !sys_is_err(r) && r != 0) {
        uint64_t len = (a[1] + 4095) & ~4095ull;
        if (nregions < MAX_REGIONS) { regions[nregions].addr = (uint64_t)r; regions[nregions].len = len; nregions++; }
    }
    if (nr == SYS_munmap && r == 0) {
        for (unsigned k = 0; k < nregions; k++)
            if (regions[k].addr == a[0]) { regions[k] = regions[--nregions]; break; }
    }
    if (nr == SYS_open && r >= 0 && nfds < MAX_FDS) fds[nfds++] = r;
    if (nr == SYS_close && r == 0) {
        for (unsigned k = 0; k < nfds; k++)
            if ((int)fds[k] == (int)a[0]) { fds[k] = fds[--nfds]; break; }
    }
    return r;
}

static int child(uint64_t first, uint64_t n, uint64_t seed) {
    long s = sys_mmap(0, SCRATCH_SIZE, PROT_READ | PROT_WRITE);
    if (sys_is_err(s)) {
        printf("fuzz: child cannot map its scratch: %ld\n", s);
        return 120;
    }
    scratch = (unsigned char *)s;
    for (uint64_t i = first; i < first + n; i++) one_call(seed, i);
    for (unsigned k = 0; verbose && k <= SYS_COUNT; k++)
        if (stat_calls[k])
            printf("fuzz: nr %u: %lu calls, %lu kcycles, %lu cycles/call\n", k, stat_calls[k], stat_cycles[k] / 1000,
                   stat_cycles[k] / stat_calls[k]);
    return 0;
}

/* ---- --bound: Driver Space with devices bound to us ------------------------------ */
/* fuzz --bound <count> <seed> <ndev>: waits (up to a minute) until the shell
 * has bound <ndev> devices to this process (drvreg <id> <pid>), then makes
 * <count> calls of which most are SYS_driver on those devices with nearly
 * valid arguments, so that the checks pass and the operations run: register
 * reads and writes, MAP_MEM/UNMAP_MEM of random page ranges, GET_INFO. It
 * also touches the pages it believes mapped (from the results) - if the
 * kernel disagreed, that touch would kill it. No SYS_exit in this mode. The
 * test raises the rate limit first (drvrate) or nearly every call would be
 * DRV_ERR_RATE. Summary: "fuzz: bound <n> devices, <count> calls, ok=... ". */
#define MAX_DEV 8
static uint64_t dev_mapped[MAX_DEV];     /* pages of each device we have mapped */
static uint64_t dev_mem[MAX_DEV];        /* memory size from GET_INFO */
static uint64_t dev_regs[MAX_DEV];       /* register block size */

static int popcount(uint32_t v) { int n = 0; for (; v; v &= v - 1) n++; return n; }

static long drv(driver_call_t *c) { return syscall6(SYS_driver, (long)c, 0, 0, 0, 0, 0); }

static long get_info(uint32_t id, driver_call_t *c) {
    memset(c, 0, sizeof *c);
    c->opcode = DRIVER_OP_GET_INFO;
    c->device_id = id;
    return drv(c);
}

static int bound_mode(uint64_t count, uint64_t seed, uint64_t ndev) {
    long s = sys_mmap(0, SCRATCH_SIZE, PROT_READ | PROT_WRITE);
    if (sys_is_err(s)) return 120;
    scratch = (unsigned char *)s;
    driver_call_t *c = (driver_call_t *)(scratch + 3 * 4096);
    printf("fuzz: pid %ld waiting for %lu bound devices\n", sys_getpid(), ndev);
    uint32_t bound = 0;
    for (int tries = 0; tries < 3000; tries++) {
        bound = 0;
        for (uint32_t id = 0; id < MAX_DEV; id++) {
            long r = get_info(id, c);
            if (r == DRV_OK) {
                bound |= 1u << id;
                dev_mem[id] = DRIVER_INFO_MEM_SIZE(c);
                dev_regs[id] = DRIVER_INFO_REG_SIZE(c);
            }
        }
        if ((uint64_t)popcount(bound) >= ndev) break;
        sys_sleep(20);
    }
    if ((uint64_t)popcount(bound) < ndev) {
        printf("fuzz: only devices %#x were bound\n", bound);
        return 3;
    }
    printf("fuzz: bound to devices %#x, %lu calls\n", bound, count);
    uint64_t results[10] = {0}, touched = 0;
    for (uint64_t i = 0; i < count; i++) {
        seed_call(seed, i);
        if (!one_in(4)) {
            uint32_t id;
            do id = (uint32_t)below(MAX_DEV); while (!(bound & (1u << id)) && !one_in(8));
            memset(c, 0, sizeof *c);
            c->opcode = one_in(16) ? (uint32_t)rnd() : 1 + (uint32_t)below(DRIVER_OP_COUNT - 1);
            c->device_id = id;
            uint64_t regs = id < MAX_DEV ? dev_regs[id] : 0, mem = id < MAX_DEV ? dev_mem[id] : 0;
            c->reg_offset = one_in(8) ? rnd() : below(regs + 16) & (one_in(8) ? ~0ull : ~7ull);
            c->value = rnd();
            uint64_t pages = mem / DRIVER_PAGE_SIZE + 2;
            c->mem_offset = one_in(8) ? rnd() : below(pages) * DRIVER_PAGE_SIZE + (one_in(8) ? below(4096) : 0);
            c->mem_length = one_in(8) ? rnd() : below(pages) * DRIVER_PAGE_SIZE + (one_in(8) ? below(4096) : 0);
            c->flags = one_in(8) ? (uint32_t)rnd() : (uint32_t)below(2);
            uint32_t op = c->opcode;
            uint64_t first = c->mem_offset / DRIVER_PAGE_SIZE, n = c->mem_length / DRIVER_PAGE_SIZE;
            long r = drv(c);
            if (r >= 0 && r < 8) results[r]++;
            else if (r == -EFAULT) results[8]++;
            else results[9]++;
            if (r == DRV_OK && id < MAX_DEV && n < 64 && first < 64) {
                uint64_t mask = (n >= 64 ? ~0ull : ((1ull << n) - 1)) << first;
                if (op == DRIVER_OP_MAP_MEM) dev_mapped[id] |= mask;
                if (op == DRIVER_OP_UNMAP_MEM) dev_mapped[id] &= ~mask;
            }
        } else if (one_in(2)) {
            /* Use a page we believe mapped, as a driver would. */
            uint32_t id = (uint32_t)below(MAX_DEV);
            if (dev_mapped[id]) {
                unsigned pg;
                do pg = (unsigned)below(64); while (!(dev_mapped[id] >> pg & 1));
                volatile uint64_t *p = (volatile uint64_t *)(DRIVER_MAP_BASE + (uint64_t)id * (1ull << 30) +
                                                            pg * DRIVER_PAGE_SIZE + (below(512) << 3));
                *p = *p + rnd();
                touched++;
            }
        } else {
            switch (below(4)) {
            case 0: {   /* the call struct inside a mapped device window */
                uint32_t id = (uint32_t)below(MAX_DEV);
                if (dev_mapped[id]) {
                    unsigned pg;
                    do pg = (unsigned)below(64); while (!(dev_mapped[id] >> pg & 1));
                    uint64_t at = DRIVER_MAP_BASE + (uint64_t)id * (1ull << 30) + pg * DRIVER_PAGE_SIZE;
                    syscall6(SYS_driver, (long)(at + 4096 - below(sizeof(driver_call_t) + 8)), 0, 0, 0, 0, 0);
                }
                break;
            }
            case 1:     /* munmap or mmap over a window */
                syscall6(SYS_munmap, (long)(DRIVER_MAP_BASE + below(MAX_DEV) * (1ull << 30)), (long)any_len(), 0, 0,
                         0, 0);
                break;
            case 2:     /* hostile call pointers */
                syscall6(SYS_driver, (long)any_ptr(), (long)rnd(), 0, 0, 0, 0);
                break;
            default: {  /* the kernel writing into a mapped window (ours: allowed) */
                uint32_t id = (uint32_t)below(MAX_DEV);
                if (dev_mapped[id]) {
                    unsigned pg;
                    do pg = (unsigned)below(64); while (!(dev_mapped[id] >> pg & 1));
                    uint64_t at = DRIVER_MAP_BASE + (uint64_t)id * (1ull << 30) + pg * DRIVER_PAGE_SIZE;
                    syscall6(SYS_readdir, (long)"/", 0, (long)at, 4096, 0, 0);
                }
                break;
            }
            }
        }
    }
    printf("fuzz: bound %d devices, %lu calls, ok=%lu device=%lu binding=%lu opcode=%lu perm=%lu range=%lu args=%lu "
           "rate=%lu efault=%lu other=%lu, %lu touches\n",
           popcount(bound), count, results[0], results[1], results[2], results[3], results[4], results[5],
           results[6], results[7], results[8], results[9], touched);
    return 0;
}

/* ---- the parent ------------------------------------------------------------------ */

static uint64_t num(const char *s) {
    unsigned long long v = 0;
    if (parse_u64(s, &v) != 0) return ~0ull;
    return v;
}

static void u64_to_str(uint64_t v, char *out) {
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (int k = 0; k < n; k++) out[k] = tmp[n - 1 - k];
    out[n] = 0;
}

int main(int argc, char **argv) {
    for (; argc > 1; argc--) {   /* trailing options */
        if (strcmp(argv[argc - 1], "-v") == 0) verbose = 1;
        else if (strcmp(argv[argc - 1], "-t") == 0) trace = 1;
        else break;
    }
    if (argc == 5 && strcmp(argv[1], "--child") == 0)
        return child(num(argv[2]), num(argv[3]), num(argv[4]));
    if (argc == 5 && strcmp(argv[1], "--bound") == 0)
        return bound_mode(num(argv[2]), num(argv[3]), num(argv[4]));
    if (argc != 3) {
        printf("usage: fuzz <count> <seed> [-v] [-t]\n");
        return 2;
    }
    uint64_t count = num(argv[1]), seed = num(argv[2]);
    if (count == ~0ull || seed == ~0ull) {
        printf("usage: fuzz <count> <seed> [-v] [-t]\n");
        return 2;
    }
    uint64_t done = 0, children = 0, exited = 0, killed = 0, spawn_fail = 0, next_report = PROGRESS;
    uint64_t by_vector[32] = {0}, odd = 0;
    printf("fuzz: %lu calls, seed %lu, %lu per child\n", count, seed, SLICE);

    while (done < count) {
        uint64_t n = count - done < SLICE ? count - done : SLICE;
        /* Where (if anywhere) this slice calls SYS_exit, and with what status. */
        uint64_t made = n;
        int want = 0, status_exit = 0, exits = 0;
        for (uint64_t i = done; i < done + n; i++) {
            if (call_exits(seed, i, &status_exit)) { made = i - done + 1; want = status_exit; exits = 1; break; }
        }
        char a_first[24], a_n[24], a_seed[24];
        u64_to_str(done, a_first);
        u64_to_str(n, a_n);
        u64_to_str(seed, a_seed);
        const char *cargv[7] = {"fuzz", "--child", a_first, a_n, a_seed, NULL, NULL};
        int ca = 5;
        if (verbose) cargv[ca++] = "-v";
        if (trace) cargv[ca++] = "-t";
        long pid = sys_spawn("fuzz", cargv, 0);
        if (pid < 0) {
            /* The previous child's orphans may still hold slots for a moment. */
            if (++spawn_fail > 100) {
                printf("fuzz: cannot spawn a child: %ld\n", pid);
                return 1;
            }
            sys_sleep(10);
            continue;
        }
        int status = -1;
        long w = sys_wait(pid, &status);
        if (w != pid) {
            printf("fuzz: wait(%ld) returned %ld\n", pid, w);
            return 1;
        }
        children++;
        if (status == want) {
            exited += (uint64_t)exits;
            done += made;
        } else {
            killed++;
            if (status >= 128 && status < 160) by_vector[status - 128]++;
            else odd++;
            printf("fuzz: child %ld (calls %lu..%lu) ended with status %d, expected %d\n", pid, done, done + n - 1,
                   status, want);
            done += n;   /* how far it got is unknown: count its slice as done */
        }
        if (done >= next_report && done < count) {
            printf("fuzz: %lu/%lu calls, %lu children\n", done, count, children);
            while (next_report <= done) next_report += PROGRESS;
        }
    }
    long w = sys_wait(WAIT_ANY, NULL);

    char reasons[256];
    int len = ksnprintf(reasons, sizeof reasons, "exit=%lu", exited);
    static const char *const vec[32] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "9", "#TS", "#NP",
                                        "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM"};
    for (int v = 0; v < 32; v++)
        if (by_vector[v] && len < (int)sizeof reasons)
            len += ksnprintf(reasons + len, sizeof reasons - (size_t)len, " killed%s=%lu", vec[v] ? vec[v] : "?",
                             by_vector[v]);
    if (odd && len < (int)sizeof reasons) ksnprintf(reasons + len, sizeof reasons - (size_t)len, " other=%lu", odd);
    printf("fuzz: %lu calls in %lu children, %lu children died (%s)\n", done, children, exited + killed, reasons);
    if (w != -ECHILD) printf("fuzz: a child was left over: wait returned %ld\n", w);
    return killed == 0 && w == -ECHILD ? 0 : 1;
}

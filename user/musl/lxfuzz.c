/* lxfuzz: random Linux system calls with hostile arguments, from a program
 * that runs with the Linux personality (the SECoS personality has its own
 * fuzzer, user/progs/fuzz.c). Usage: lxfuzz <count> <seed>
 *
 * Call i is a pure function of (seed, i) (splitmix64 -> xorshift64), so a
 * run can be replayed. The number is drawn from 0..511 plus a few far out of
 * range, so the table's holes and its end are hit too. What is never done,
 * so the fuzzer survives and the kernel must end holding exactly what it held
 * before (tests/qemu/test_linux_fuzz.py compares frames, heap, process
 * slots and the RAMFS usage):
 *  - calls that end, replace, clone, stop or block the process, or take away
 *    its memory, TLS or signal dispositions (the denylist below);
 *  - file descriptors 0-2 are closed first (no console read can block, no
 *    garbage reaches the console); the report goes through fd 250, which no
 *    draw names;
 *  - paths are hostile pointers, names below /sys (immutable) or below a
 *    directory that does not exist, so nothing can be created;
 *  - writable pointers aim at a scratch mapping the fuzzer never reads, at
 *    read-only text, or at hostile addresses.
 * Output: "lxfuzz: <count> calls, <n> ok, <e> errors" and exit 0. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define OUT_FD 250

static uint64_t state;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}
static uint64_t splitmix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static int denied(uint64_t nr) {
    static const uint16_t deny[] = {
        7, 23, 270, 271, 281, 232, 233, 291,   /* poll, select, epoll: may wait forever */
        9, 10, 11, 12, 25, 28,                  /* mmap (drawn separately), mprotect, munmap, brk, mremap, madvise */
        13, 15, 34, 127, 128, 130, 131,         /* signal dispositions, sigreturn, pause, sigsuspend, altstack */
        22, 293, 53,                            /* pipes and socketpair: a read would wait for ourselves */
        35, 230,                                /* sleeps */
        56, 57, 58, 59, 60, 231, 322, 435,      /* clone, fork, vfork, execve, exit, exit_group, execveat, clone3 */
        62, 200, 234,                           /* kill, tkill, tgkill */
        101, 202, 61, 247,                      /* ptrace, futex, wait4, waitid: may wait */
        158, 218, 273, 334,                     /* arch_prctl (TLS), set_tid_address, robust list, rseq */
        0, 436,                                 /* read: a fuzzed fd could be a terminal later; close_range */
    };
    for (unsigned i = 0; i < sizeof deny / sizeof deny[0]; i++)
        if (deny[i] == nr) return 1;
    return 0;
}

static uint8_t *scratch;
static const char *paths[] = { "/sys/syscalls.txt", "/sys", "/VERSION", "/no-such-dir-lx/x", "/sys/new",
                               "/VERSION/x", "", "/", "//", "/sys/../sys/x", "/no-such-dir-lx/a/b/c" };

static uint64_t arg(void) {
    uint64_t r = next();
    switch (r % 16) {
    case 0: case 1: return r >> 60;                          /* small: fds, flags, counts */
    case 2: return (uint64_t)-1;
    case 3: return r;                                        /* anything */
    case 4: return 0xffffffff80100000ull + (r >> 40);        /* the kernel image */
    case 5: return 0xffff800000000000ull + (r >> 30);        /* the physmap */
    case 6: return 0x0000800000000000ull + (r >> 20);        /* non-canonical */
    case 7: return 0x0000100000000000ull;                    /* unmapped user address */
    case 8: case 9: return (uint64_t)(scratch + (r >> 52));  /* scratch, possibly near its end */
    case 10: return (uint64_t)(scratch + 4 * 4096 - (r >> 61)); /* straddling the end of scratch */
    case 11: return (uint64_t)&denied;                       /* read-only text */
    case 12: case 13: return (uint64_t)paths[(r >> 32) % (sizeof paths / sizeof paths[0])];
    case 14: return 0x7fffffffeffull;                        /* top of the user half */
    default: return r & 0xffff;
    }
}

static long sys6(uint64_t nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f) {
    long ret;
    register uint64_t r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: lxfuzz <count> <seed>\n");
        return 2;
    }
    unsigned long count = strtoul(argv[1], 0, 0), seed = strtoul(argv[2], 0, 0);
    scratch = mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED || dup2(1, OUT_FD) != OUT_FD) {
        printf("lxfuzz: setup failed\n");
        return 1;
    }
    fflush(stdout);
    close(0);
    close(1);
    close(2);
    unsigned long ok = 0, err = 0;
    for (unsigned long i = 0; i < count; i++) {
        state = splitmix(seed * 0x100000001b3ull + i) | 1;
        uint64_t nr = next() % 520;
        if (nr >= 512) nr = (uint64_t)1 << (nr - 480);   /* far outside the table */
        uint64_t a[6];
        for (int k = 0; k < 6; k++) a[k] = arg();
        if (nr == 9) {                                   /* mmap: never over what exists */
            a[3] &= ~(uint64_t)(MAP_FIXED | 0x100000);
        } else if (denied(nr)) {
            continue;
        }
        for (int k = 0; k < 6; k++)                      /* never our report descriptor */
            if (a[k] == OUT_FD) a[k] = 3;
        long r = sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r < 0 && r > -4096) err++;
        else ok++;
    }
    /* Close whatever the calls opened (descriptors must come back). */
    for (int fd = 0; fd < 256; fd++)
        if (fd != OUT_FD) close(fd);
    dprintf(OUT_FD, "lxfuzz: %lu calls, %lu ok, %lu errors\n", count, ok, err);
    return 0;
}

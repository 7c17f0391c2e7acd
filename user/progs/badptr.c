/* badptr: hands every pointer-taking system call pointers it must refuse,
 * through both entry kinds, and checks that each returns a negative errno.
 * Out-of-range syscall numbers must give exactly -ENOSYS. Prints one line per check
 * and a summary; exits 0 only if every check was refused.
 *
 * Kernel preconditions for a clean run: pointers are validated before
 * anything blocks (read on fd 0 would otherwise wait for the keyboard), and
 * SPAWN_PATH below names a program that exists, so that spawn's argv checks
 * are reached. NULL is a valid "none" for spawn's argv (and as the array's
 * terminator) and for wait's status, so those calls are not tried with it. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

#define SPAWN_PATH "hello"

struct bad { const char *name; unsigned long addr, len; };

/* Pointers no system call may read through. len is used where the call takes
 * a length; the others read up to a NUL. */
static const struct bad src_bad[] = {
    {"kernel",      0xffffffff80100000ul, 16},
    {"null",        0,                    16},
    {"noncanon-lo", 0x0000800000000000ul, 16},
    {"noncanon-hi", 0x8000000000000000ul, 16},
    {"unmapped",    0x0000100000000000ul, 16},
    {"wrap",        0xfffffffffffff000ul, 0x2000},   /* addr + len wraps past 2^64 */
    {"userend",     0x00007ffffffff000ul, 0x2000},   /* runs off the top of the user half */
};
#define NSRC (sizeof src_bad / sizeof src_bad[0])

static const char rodata_buf[64] = "read-only";
static long ncheck, nfail;

/* One check: the call must fail (want 0: any error; else exactly -want). */
static void check_want(const char *call, int int80, const char *which, long ret, long want) {
    ncheck++;
    int ok = want ? ret == -want : ret < 0;
    if (!ok) nfail++;
    printf("badptr: %s(%s) %s -> %ld (%s) %s\n", call, int80 ? "int80" : "syscall", which, ret,
           ret < 0 ? errno_name((int)ret) : "no error", ok ? "ok" : "FAILED");
}

static void check(const char *call, int int80, const char *which, long ret) {
    check_want(call, int80, which, ret, 0);
}

static long sc(int int80, long n, long a1, long a2, long a3, long a4) {
    return int80 ? int80_6(n, a1, a2, a3, a4, 0, 0) : syscall6(n, a1, a2, a3, a4, 0, 0);
}

/* Calls that read user memory (strings, buffers, argv). */
static void read_checks(int k, const struct bad *b) {
    long p = (long)b->addr, len = (long)b->len;
    static char scratch[64];
    const char *argv_ok[] = {SPAWN_PATH, NULL};
    const char *argv_bad_elem[] = {SPAWN_PATH, (const char *)b->addr, NULL};

    check("write", k, b->name, sc(k, SYS_write, STDOUT_FD, p, len, 0));
    check("open", k, b->name, sc(k, SYS_open, p, O_RDONLY, 0, 0));
    check("mkdir", k, b->name, sc(k, SYS_mkdir, p, 0, 0, 0));
    check("unlink", k, b->name, sc(k, SYS_unlink, p, 0, 0, 0));
    check("rename-from", k, b->name, sc(k, SYS_rename, p, (long)"/badptr-new", 0, 0));
    check("rename-to", k, b->name, sc(k, SYS_rename, (long)"/", p, 0, 0));
    check("spawn-path", k, b->name, sc(k, SYS_spawn, p, (long)argv_ok, 0, 0));
    if (p != 0) {   /* argv NULL means {path}; a NULL element just ends argv */
        check("spawn-argv", k, b->name, sc(k, SYS_spawn, (long)SPAWN_PATH, p, 0, 0));
        check("spawn-argv-elem", k, b->name, sc(k, SYS_spawn, (long)SPAWN_PATH, (long)argv_bad_elem, 0, 0));
    }
    check("readdir-path", k, b->name, sc(k, SYS_readdir, p, 0, (long)scratch, sizeof scratch));
    check("driver-call", k, b->name, sc(k, SYS_driver, p, 0, 0, 0));  /* the driver_call_t itself */
}

/* Calls that write user memory: also refuse our own read-only pages. */
static void write_checks(int k, const char *name, long p, long len) {
    check("read", k, name, sc(k, SYS_read, STDIN_FD, p, len, 0));
    if (p != 0)     /* a NULL status pointer means "not interested" */
        check("wait-status", k, name, sc(k, SYS_wait, WAIT_ANY, p, 0, 0));
    check("readdir-buf", k, name, sc(k, SYS_readdir, (long)"/", 0, p, len));
    /* SYS_driver writes results back into the call, so it must be writable
     * even for a call that would fail: refused before anything is done. */
    check("driver-call-out", k, name, sc(k, SYS_driver, p, 0, 0, 0));
}

int main(void) {
    for (int k = 0; k <= 1; k++) {
        for (unsigned i = 0; i < NSRC; i++) {
            read_checks(k, &src_bad[i]);
            write_checks(k, src_bad[i].name, (long)src_bad[i].addr, (long)src_bad[i].len);
        }
        write_checks(k, "rodata", (long)rodata_buf, sizeof rodata_buf);
        write_checks(k, "text", (long)(unsigned long)main, 64);
        /* munmap of memory that is not ours to unmap. */
        for (unsigned i = 0; i < NSRC; i++)
            if (src_bad[i].addr >= 0x0000800000000000ul)
                check("munmap", k, src_bad[i].name, sc(k, SYS_munmap, (long)src_bad[i].addr, 0x1000, 0, 0));
        /* Numbers outside the table: exactly -ENOSYS, nothing else. */
        static const long bad_numbers[] = { SYS_COUNT, SYS_COUNT + 1, 9999, -1, (long)0x8000000000000000ul };
        for (unsigned i = 0; i < sizeof bad_numbers / sizeof bad_numbers[0]; i++) {
            long r = sc(k, bad_numbers[i], 0, 0, 0, 0);
            check_want("nosys", k, "number", r, ENOSYS);
        }
        /* mmap may never hand out executable memory. */
        check("mmap", k, "prot-exec", sc(k, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, 0));
        check("mmap", k, "prot-wx", sc(k, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, 0));
    }
    printf("badptr: %ld checks, %ld failed\n", ncheck, nfail);
    return nfail == 0 ? 0 : 1;
}

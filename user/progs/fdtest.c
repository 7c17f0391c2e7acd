/* fdtest: descriptors as references to shared open files: dup, dup2, close
 * order, the lowest free descriptor, the table's limit, and what each kind
 * of file refuses. One line per check, then "fdtest: <n> checks, <m>
 * failed". Cleans up after itself so it can run again. */
#include "ulib.h"
#include "lib/printf.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

static long nchecks, nfailed;
static int log_fd = STDOUT_FD; /* where the check lines go (stdout may be redirected) */

static void expect(const char *what, long got, long want) {
    nchecks++;
    int ok = got == want;
    if (!ok) nfailed++;
    flush();
    char line[160];
    int n = ksnprintf(line, sizeof line, "fdtest: %s -> %ld (want %ld) %s\n", what, got, want, ok ? "ok" : "FAIL");
    sys_write(log_fd, line, (size_t)n);
}

#define F "/fdtest.txt"

int main(void) {
    char b[16];
    sys_unlink(F);
    long fd = sys_open(F, O_RDWR | O_CREAT);
    expect("open " F, fd >= 3, 1);
    expect("write abcdef", sys_write((int)fd, "abcdef", 6), 6);

    /* dup shares the description: one offset for both. */
    long d = sys_dup((int)fd);
    expect("dup gives a new descriptor", d > fd, 1);
    expect("lseek through the dup", sys_lseek((int)d, 2, SEEK_SET), 2);
    expect("read through the original sees the dup's offset", sys_read((int)fd, b, 2), 2);
    expect("the bytes at offset 2", b[0] == 'c' && b[1] == 'd', 1);
    expect("offset moved for the dup too", sys_lseek((int)d, 0, SEEK_CUR), 4);
    expect("close the original", sys_close((int)fd), 0);
    expect("the dup still works", sys_read((int)d, b, 8), 2);
    expect("closed descriptor -> EBADF", sys_read((int)fd, b, 1), -EBADF);

    /* dup2 redirects stdout into the file, then puts the console back. */
    long saved = sys_dup(STDOUT_FD);
    expect("dup stdout", saved >= 3, 1);
    log_fd = (int)saved;
    expect("dup2 file onto stdout", sys_dup2((int)d, STDOUT_FD), STDOUT_FD);
    expect("write to stdout lands in the file", sys_write(STDOUT_FD, "XY", 2), 2);
    expect("dup2 the console back", sys_dup2((int)saved, STDOUT_FD), STDOUT_FD);
    log_fd = STDOUT_FD;
    expect("close the saved console", sys_close((int)saved), 0);
    expect("rewind", sys_lseek((int)d, 0, SEEK_SET), 0);
    long n = sys_read((int)d, b, sizeof b);
    expect("file holds abcdefXY", n == 8 && memcmp(b, "abcdefXY", 8) == 0, 1);
    expect("dup2(fd, fd) is fd", sys_dup2((int)d, (int)d), d);

    /* Errors. */
    expect("dup of a closed descriptor", sys_dup(200), -EBADF);
    expect("dup of a huge number", syscall6(SYS_dup, 0x100000003L, 0, 0, 0, 0, 0), -EBADF);
    expect("dup2 past the table", sys_dup2((int)d, SECOS_FD_MAX), -EBADF);
    expect("dup2 to a negative descriptor", sys_dup2((int)d, -1), -EBADF);
    expect("lseek on the console", sys_lseek(STDOUT_FD, 0, SEEK_SET), -ESPIPE);
    /* fds 0-2 are one read-write description, the terminal (as a Linux
     * console login's): no access-mode errors to test on them. */

    /* The table holds SECOS_FD_MAX descriptors; then EMFILE. */
    int filled = 0;
    long last = 0;
    static long fds[SECOS_FD_MAX];
    for (int i = 0; i < SECOS_FD_MAX; i++) {
        last = sys_dup((int)d);
        if (last < 0) break;
        fds[filled++] = last;
    }
    expect("table full -> EMFILE", last, -EMFILE);
    expect("descriptors until full", filled, SECOS_FD_MAX - 4); /* 0-2 and d were taken */
    for (int i = 0; i < filled; i++) sys_close((int)fds[i]);

    /* The lowest free descriptor is taken, the console's too. */
    expect("close stdin", sys_close(STDIN_FD), 0);
    expect("dup takes descriptor 0", sys_dup((int)d), 0);
    expect("close it", sys_close(0), 0);
    expect("close d", sys_close((int)d), 0);
    expect("unlink " F, sys_unlink(F), 0);

    printf("fdtest: %ld checks, %ld failed\n", nchecks, nfailed);
    return nfailed ? 1 : 0;
}

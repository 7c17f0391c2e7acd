/* t_files: the Linux file calls on descriptors, from an unmodified musl
 * program: results and errors. One line per failed check ("FAIL ...") and
 * "t_files: N checks, M failed" at the end; exit status 1 on any failure.
 * Works in /t_files (made and removed here). Usage: t_files */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>

static int checks, failures;

#define CHECK(what, cond) do {                                              \
    checks++;                                                               \
    if (!(cond)) { failures++; printf("FAIL %s (line %d, errno %d)\n", what, __LINE__, errno); } \
} while (0)
/* A call that must fail with exactly err. */
#define FAILS(what, call, err) do { errno = 0; long r_ = (long)(call); CHECK(what, r_ == -1 && errno == (err)); } while (0)

static long sys(long nr, long a, long b, long c, long d) { return syscall(nr, a, b, c, d); }

static void test_open_read_write(void) {
    int fd = open("/t_files/a", O_CREAT | O_RDWR | O_EXCL, 0600);
    CHECK("open O_CREAT|O_EXCL", fd >= 3);
    FAILS("O_EXCL on an existing file", open("/t_files/a", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
    CHECK("write", write(fd, "hello world", 11) == 11);
    CHECK("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR) == 11);
    CHECK("lseek SEEK_SET", lseek(fd, 6, SEEK_SET) == 6);
    char buf[32] = { 0 };
    CHECK("read after seek", read(fd, buf, sizeof buf) == 5 && memcmp(buf, "world", 5) == 0);
    CHECK("read at end", read(fd, buf, sizeof buf) == 0);
    CHECK("lseek SEEK_END", lseek(fd, -5, SEEK_END) == 6);
    FAILS("lseek before 0", lseek(fd, -100, SEEK_SET), EINVAL);
    FAILS("lseek bad whence", lseek(fd, 0, 9), EINVAL);
    /* pread/pwrite leave the offset alone. */
    CHECK("pread", pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0);
    CHECK("pwrite", pwrite(fd, "HELLO", 5, 0) == 5);
    CHECK("offset kept", lseek(fd, 0, SEEK_CUR) == 6);
    FAILS("pread negative", pread(fd, buf, 1, -1), EINVAL);
    /* readv / writev */
    struct iovec w[2] = { { "ab", 2 }, { "cd", 2 } };
    CHECK("writev", writev(fd, w, 2) == 4);
    char x[3] = { 0 }, y[3] = { 0 };
    struct iovec r[2] = { { x, 2 }, { y, 2 } };
    CHECK("readv", lseek(fd, 6, SEEK_SET) == 6 && readv(fd, r, 2) == 4 && !strcmp(x, "ab") && !strcmp(y, "cd"));
    struct stat st;
    CHECK("fstat", fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 11 && st.st_nlink == 1);
    CHECK("fstat mode from open", (st.st_mode & 0777) == 0600);
    CHECK("fstat ino and times", st.st_ino != 0 && st.st_mtime > 1600000000);
    CHECK("close", close(fd) == 0);
    FAILS("close twice", close(fd), EBADF);
    FAILS("read closed", read(fd, buf, 1), EBADF);
    FAILS("write to O_RDONLY", write(open("/t_files/a", O_RDONLY), "x", 1), EBADF);
    FAILS("open missing", open("/t_files/missing", O_RDONLY), ENOENT);
    FAILS("open under a file", open("/t_files/a/x", O_RDONLY), ENOTDIR);
    FAILS("open a dir for writing", open("/t_files", O_WRONLY), EISDIR);
    FAILS("O_DIRECTORY on a file", open("/t_files/a", O_RDONLY | O_DIRECTORY), ENOTDIR);
    FAILS("trailing slash on a file", open("/t_files/a/", O_RDONLY), ENOTDIR);
    FAILS("empty path", open("", O_RDONLY), ENOENT);
    FAILS("bad pointer", open((char *)8, O_RDONLY), EFAULT);
}

static void test_trunc_append(void) {
    int fd = open("/t_files/a", O_WRONLY | O_TRUNC);
    struct stat st;
    CHECK("O_TRUNC", fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
    close(fd);
    fd = open("/t_files/a", O_WRONLY | O_APPEND);
    CHECK("append 1", write(fd, "12", 2) == 2);
    lseek(fd, 0, SEEK_SET);
    CHECK("append 2", write(fd, "34", 2) == 2);
    CHECK("O_APPEND appends", stat("/t_files/a", &st) == 0 && st.st_size == 4);
    CHECK("F_GETFL", (fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND));
    CHECK("F_SETFL clears O_APPEND", fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
    CHECK("F_GETFL after", (fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK)) == O_NONBLOCK);
    lseek(fd, 0, SEEK_SET);
    CHECK("write at 0", write(fd, "X", 1) == 1);
    CHECK("ftruncate grow", ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10);
    CHECK("truncate", truncate("/t_files/a", 3) == 0 && stat("/t_files/a", &st) == 0 && st.st_size == 3);
    FAILS("ftruncate negative", ftruncate(fd, -1), EINVAL);
    FAILS("truncate a dir", truncate("/t_files", 0), EISDIR);
    FAILS("truncate missing", truncate("/t_files/nope", 0), ENOENT);
    int ro = open("/t_files/a", O_RDONLY);
    FAILS("ftruncate read-only", ftruncate(ro, 0), EINVAL);
    CHECK("fsync", fsync(fd) == 0 && fdatasync(fd) == 0);
    FAILS("fsync bad fd", fsync(999), EBADF);
    sync();
    close(ro);
    close(fd);
}

static void test_fds(void) {
    int fd = open("/t_files/a", O_RDONLY);
    CHECK("F_GETFD", fcntl(fd, F_GETFD) == 0);
    CHECK("F_SETFD", fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
    int d = fcntl(fd, F_DUPFD, 10);
    CHECK("F_DUPFD >= 10", d >= 10);
    CHECK("dup has no FD_CLOEXEC", fcntl(d, F_GETFD) == 0);
    int dc = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    CHECK("F_DUPFD_CLOEXEC", dc >= 20 && fcntl(dc, F_GETFD) == FD_CLOEXEC);
    /* Shared description: one offset. */
    lseek(fd, 2, SEEK_SET);
    CHECK("dup shares the offset", lseek(d, 0, SEEK_CUR) == 2);
    CHECK("dup3 O_CLOEXEC", dup3(fd, 30, O_CLOEXEC) == 30 && fcntl(30, F_GETFD) == FD_CLOEXEC);
    FAILS("dup3 same fd", dup3(fd, fd, 0), EINVAL);
    FAILS("dup3 bad flags", syscall(SYS_dup3, fd, 31, 1), EINVAL);   /* musl's dup3 would mask them */
    FAILS("dup3 bad fd", dup3(999, 31, 0), EBADF);
    CHECK("dup2 clears cloexec", dup2(fd, 30) == 30 && fcntl(30, F_GETFD) == 0);
    FAILS("fcntl bad fd", fcntl(999, F_GETFD), EBADF);
    FAILS("fcntl bad cmd", fcntl(fd, 9999), EINVAL);
    FAILS("F_DUPFD past the table", fcntl(fd, F_DUPFD, 256), EINVAL);
    CHECK("O_CLOEXEC open", fcntl(open("/t_files/a", O_RDONLY | O_CLOEXEC), F_GETFD) == FD_CLOEXEC);
    /* ioctl: the console is a terminal (tests/qemu/test_tty.py tests it), files are not. */
    struct winsize ws;
    struct termios t;
    CHECK("TIOCGWINSZ on the console", ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0);
    CHECK("TCGETS on the console", ioctl(0, TCGETS, &t) == 0);
    FAILS("ioctl on a file", ioctl(fd, TCGETS, &t), ENOTTY);
    FAILS("ioctl bad fd", ioctl(999, TCGETS, &t), EBADF);
    CHECK("isatty", isatty(1) && !isatty(fd));
    CHECK("FIOCLEX", ioctl(d, FIOCLEX) == 0 && fcntl(d, F_GETFD) == FD_CLOEXEC);
    for (int i = 3; i < 64; i++) close(i);
}

/* EMFILE at 256 descriptors, and every one back. */
static void test_emfile(void) {
    int fds[300], n = 0, last = 0;
    for (; n < 300; n++) {
        fds[n] = open("/t_files/a", O_RDONLY);
        if (fds[n] < 0) { last = errno; break; }
    }
    CHECK("256 descriptors in all", n == 256 - 3);
    CHECK("then EMFILE", last == EMFILE);
    FAILS("dup at the limit", dup(0), EMFILE);
    FAILS("O_CREAT at the limit", open("/t_files/emfile", O_CREAT | O_WRONLY, 0644), EMFILE);
    CHECK("no file made by a refused open", access("/t_files/emfile", F_OK) == -1);
    for (int i = 0; i < n; i++) close(fds[i]);
    int fd = open("/t_files/a", O_RDONLY);
    CHECK("lowest free again", fd == 3);
    close(fd);
}

static void test_unlink_while_open(void) {
    int fd = open("/t_files/u", O_CREAT | O_RDWR, 0644);
    CHECK("write u", write(fd, "still here", 10) == 10);
    CHECK("unlink open file", unlink("/t_files/u") == 0);
    FAILS("gone by name", open("/t_files/u", O_RDONLY), ENOENT);
    char buf[16] = { 0 };
    struct stat st;
    CHECK("readable after unlink", pread(fd, buf, sizeof buf, 0) == 10 && !memcmp(buf, "still here", 10));
    CHECK("nlink 0", fstat(fd, &st) == 0 && st.st_nlink == 0);
    close(fd);
}

static void test_sendfile(void) {
    int in = open("/t_files/s", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK("sendfile source", write(in, "0123456789", 10) == 10);
    int out = open("/t_files/s2", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    off_t off = 2;
    CHECK("sendfile with offset", sendfile(out, in, &off, 5) == 5 && off == 7);
    CHECK("in offset unmoved", lseek(in, 0, SEEK_CUR) == 10);
    lseek(in, 0, SEEK_SET);
    CHECK("sendfile without offset", sendfile(out, in, NULL, 3) == 3 && lseek(in, 0, SEEK_CUR) == 3);
    char buf[16] = { 0 };
    int chk = open("/t_files/s2", O_RDONLY);
    CHECK("sendfile result", read(chk, buf, sizeof buf) == 8 && !memcmp(buf, "23456012", 8));
    FAILS("sendfile bad fd", sendfile(out, 999, NULL, 1), EBADF);
    FAILS("sendfile from the console", sendfile(out, 0, NULL, 1), EINVAL);
    CHECK("sendfile to the console", sendfile(1, chk, &(off_t){ 0 }, 0) == 0);
    close(chk);
    close(in);
    close(out);
}

static void test_devices(void) {
    char buf[64];
    int z = open("/dev/zero", O_RDONLY);
    memset(buf, 1, sizeof buf);
    CHECK("/dev/zero", z >= 0 && read(z, buf, sizeof buf) == 64 && buf[0] == 0 && buf[63] == 0);
    int n = open("/dev/null", O_RDWR);
    CHECK("/dev/null reads EOF", read(n, buf, sizeof buf) == 0);
    CHECK("/dev/null swallows", write(n, buf, sizeof buf) == 64);
    int u = open("/dev/urandom", O_RDONLY);
    char a[16] = { 0 }, b[16] = { 0 };
    CHECK("/dev/urandom", read(u, a, 16) == 16 && read(u, b, 16) == 16 && memcmp(a, b, 16) != 0);
    int f = open("/dev/full", O_WRONLY);
    FAILS("/dev/full", write(f, "x", 1), ENOSPC);
    struct stat st;
    CHECK("/dev/null is a char device 1:3", stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0x103);
    FAILS("no /dev/nonsense", open("/dev/nonsense", O_RDONLY), ENOENT);
    FAILS("cannot create in /dev", open("/dev/new", O_CREAT | O_WRONLY, 0644), EROFS);
    close(z); close(n); close(u); close(f);
}

static void test_umask_attrs(void) {
    CHECK("umask starts 022", umask(077) == 022);
    int fd = open("/t_files/m", O_CREAT | O_WRONLY, 0666);
    struct stat st;
    CHECK("umask applied", fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK("umask kept", umask(022) == 077);
    CHECK("chmod", chmod("/t_files/m", 0640) == 0 && stat("/t_files/m", &st) == 0 && (st.st_mode & 0777) == 0640);
    CHECK("fchmod", fchmod(fd, 0604) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0604);
    CHECK("fchmodat", fchmodat(AT_FDCWD, "/t_files/m", 0644, 0) == 0);
    FAILS("chmod missing", chmod("/t_files/none", 0644), ENOENT);
    CHECK("chown", chown("/t_files/m", 0, 0) == 0 && lchown("/t_files/m", 0, 0) == 0 && fchown(fd, 0, 0) == 0);
    FAILS("chown missing", chown("/t_files/none", 0, 0), ENOENT);
    FAILS("fchown bad fd", fchown(999, 0, 0), EBADF);
    struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
    CHECK("utimensat", utimensat(AT_FDCWD, "/t_files/m", ts, 0) == 0 && stat("/t_files/m", &st) == 0 &&
                           st.st_atime == 1000 && st.st_mtime == 2000);
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 3000, 0 } };
    CHECK("futimens", futimens(fd, omit) == 0 && fstat(fd, &st) == 0 && st.st_atime == 1000 && st.st_mtime == 3000);
    CHECK("utimensat now", utimensat(AT_FDCWD, "/t_files/m", NULL, 0) == 0 && stat("/t_files/m", &st) == 0 &&
                               st.st_mtime > 1600000000);
    struct timespec bad[2] = { { 0, 2000000000 }, { 0, 0 } };
    FAILS("utimensat bad nsec", utimensat(AT_FDCWD, "/t_files/m", bad, 0), EINVAL);
    FAILS("utimensat missing", utimensat(AT_FDCWD, "/t_files/none", NULL, 0), ENOENT);
    struct statfs sf;
    CHECK("statfs", statfs("/", &sf) == 0 && sf.f_bsize == 4096 && sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks);
    CHECK("fstatfs", fstatfs(fd, &sf) == 0 && sf.f_type == 0x01021994);
    CHECK("statfs /proc", statfs("/proc", &sf) == 0 && sf.f_type == 0x9fa0);
    FAILS("statfs missing", statfs("/t_files/none", &sf), ENOENT);
    close(fd);
}

static void test_raw_edges(void) {
    struct stat st;
    /* The full 64-bit descriptor is checked. */
    CHECK("close(2^32 + 1) is EBADF", sys(SYS_close, 0x100000001L, 0, 0, 0) == -1 && errno == EBADF);
    FAILS("fstat bad fd", fstat(-1, &st), EBADF);
    FAILS("fstat bad buffer", sys(SYS_fstat, 1, 8, 0, 0), EFAULT);
    FAILS("getdents64 on a file", sys(SYS_getdents64, open("/t_files/a", O_RDONLY), (long)&st, sizeof st, 0), ENOTDIR);
}

int main(void) {
    mkdir("/t_files", 0755);
    test_open_read_write();
    test_trunc_append();
    test_fds();
    test_emfile();
    test_unlink_while_open();
    test_sendfile();
    test_devices();
    test_umask_attrs();
    test_raw_edges();
    for (int i = 3; i < 256; i++) close(i);
    const char *names[] = { "a", "s", "s2", "m" };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[64];
        snprintf(p, sizeof p, "/t_files/%s", names[i]);
        unlink(p);
    }
    CHECK("cleanup", rmdir("/t_files") == 0);
    printf("t_files: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

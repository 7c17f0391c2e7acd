/* t_dirs: the Linux path and directory calls, /proc and path tricks, from an
 * unmodified musl program: results and errors. One line per failed check
 * ("FAIL ...") and "t_dirs: N checks, M failed"; exit status 1 on any
 * failure. Works in /t_dirs (made and removed here). Usage: t_dirs [args] */
#define _GNU_SOURCE
#include <dirent.h>   /* DT_* */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static int checks, failures;

#define CHECK(what, cond) do {                                              \
    checks++;                                                               \
    if (!(cond)) { failures++; printf("FAIL %s (line %d, errno %d)\n", what, __LINE__, errno); } \
} while (0)
#define FAILS(what, call, err) do { errno = 0; long r_ = (long)(call); CHECK(what, r_ == -1 && errno == (err)); } while (0)

static void touch(const char *p) { close(open(p, O_CREAT | O_WRONLY, 0644)); }

struct d64 { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; };

/* Names in a directory through raw getdents64 with a buffer of bufsz bytes
 * (so several calls are needed): the count, and whether each record is
 * sane (8-aligned reclen, d_off increasing). */
static int list(const char *dir, size_t bufsz, char names[][64], int max, int *sane) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    char buf[1024];
    int n = 0;
    long long last_off = 0;
    *sane = 1;
    for (;;) {
        long got = syscall(SYS_getdents64, fd, buf, bufsz);
        if (got <= 0) break;
        for (long pos = 0; pos < got;) {
            struct d64 *d = (struct d64 *)(buf + pos);
            if (d->reclen % 8 || d->off <= last_off) *sane = 0;
            last_off = d->off;
            if (n < max) snprintf(names[n], 64, "%s", d->name);
            n++;
            pos += d->reclen;
        }
    }
    close(fd);
    return n;
}

static int has(char names[][64], int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return 1;
    return 0;
}

static void test_getdents(void) {
    mkdir("/t_dirs/g", 0755);
    char p[64];
    for (int i = 0; i < 20; i++) {
        snprintf(p, sizeof p, "/t_dirs/g/file%02d", i);
        touch(p);
    }
    mkdir("/t_dirs/g/sub", 0755);
    char names[40][64];
    int sane;
    int n = list("/t_dirs/g", 64, names, 40, &sane);   /* two records a call at most: resumes */
    CHECK("getdents64 resumes over calls", n == 23);
    CHECK("records sane", sane);
    CHECK("dot entries", has(names, n, ".") && has(names, n, ".."));
    CHECK("all names", has(names, n, "file00") && has(names, n, "file19") && has(names, n, "sub"));
    int fd = open("/t_dirs/g", O_RDONLY | O_DIRECTORY);
    char small[16];
    FAILS("buffer too small for one entry", syscall(SYS_getdents64, fd, small, sizeof small), EINVAL);
    char buf[1024];
    long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
    int found_dir = 0, found_reg = 0;
    for (long pos = 0; pos < got;) {
        struct d64 *d = (struct d64 *)(buf + pos);
        if (!strcmp(d->name, "sub")) found_dir = d->type == DT_DIR;
        if (!strcmp(d->name, "file00")) found_reg = d->type == DT_REG && d->ino != 0;
        pos += d->reclen;
    }
    CHECK("d_type", found_dir && found_reg);
    CHECK("rewind", lseek(fd, 0, SEEK_SET) == 0 && syscall(SYS_getdents64, fd, buf, sizeof buf) == got);
    FAILS("getdents64 bad fd", syscall(SYS_getdents64, 999, buf, sizeof buf), EBADF);
    FAILS("getdents64 bad buffer", syscall(SYS_getdents64, fd, 8, 512), EFAULT);
    close(fd);
    FAILS("read on a directory", read(open("/t_dirs/g", O_RDONLY), buf, 1), EISDIR);
    for (int i = 0; i < 20; i++) {
        snprintf(p, sizeof p, "/t_dirs/g/file%02d", i);
        unlink(p);
    }
    rmdir("/t_dirs/g/sub");
    CHECK("rmdir emptied", rmdir("/t_dirs/g") == 0);
}

static void test_cwd(void) {
    char buf[256];
    CHECK("getcwd /", getcwd(buf, sizeof buf) && !strcmp(buf, "/"));
    CHECK("chdir", chdir("/t_dirs") == 0 && getcwd(buf, sizeof buf) && !strcmp(buf, "/t_dirs"));
    CHECK("getcwd ERANGE", getcwd(buf, 3) == NULL && errno == ERANGE);
    touch("rel");
    CHECK("relative create", access("/t_dirs/rel", F_OK) == 0);
    CHECK("mkdir relative", mkdir("d1", 0755) == 0 && chdir("d1") == 0);
    CHECK("dot-dot", access("../rel", F_OK) == 0 && access("./../rel", F_OK) == 0);
    CHECK("chdir ..", chdir("..") == 0 && getcwd(buf, sizeof buf) && !strcmp(buf, "/t_dirs"));
    FAILS("chdir to a file", chdir("rel"), ENOTDIR);
    FAILS("chdir missing", chdir("nowhere"), ENOENT);
    int d = open("d1", O_RDONLY | O_DIRECTORY);
    CHECK("fchdir", fchdir(d) == 0 && getcwd(buf, sizeof buf) && !strcmp(buf, "/t_dirs/d1"));
    int f = open("/t_dirs/rel", O_RDONLY);
    FAILS("fchdir to a file", fchdir(f), ENOTDIR);
    FAILS("fchdir bad fd", fchdir(999), EBADF);
    chdir("/");
    /* openat / mkdirat / unlinkat / renameat relative to a directory fd */
    int fd = openat(d, "inner", O_CREAT | O_WRONLY, 0644);
    CHECK("openat dirfd", fd >= 0 && access("/t_dirs/d1/inner", F_OK) == 0);
    FAILS("openat with a file as dirfd", openat(f, "x", O_RDONLY), ENOTDIR);
    FAILS("openat bad dirfd", openat(999, "x", O_RDONLY), EBADF);
    CHECK("openat absolute ignores dirfd", openat(999, "/t_dirs/rel", O_RDONLY) >= 0);
    CHECK("mkdirat", mkdirat(d, "sd", 0755) == 0 && access("/t_dirs/d1/sd", F_OK) == 0);
    CHECK("renameat", renameat(d, "inner", AT_FDCWD, "/t_dirs/moved") == 0 && access("/t_dirs/moved", F_OK) == 0);
    CHECK("unlinkat", unlinkat(AT_FDCWD, "/t_dirs/moved", 0) == 0);
    FAILS("unlinkat dir without AT_REMOVEDIR", unlinkat(d, "sd", 0), EISDIR);
    CHECK("unlinkat AT_REMOVEDIR", unlinkat(d, "sd", AT_REMOVEDIR) == 0);
    FAILS("unlinkat bad flags", unlinkat(d, "sd", 0x4), EINVAL);
    struct stat st;
    CHECK("fstatat dirfd", fstatat(d, ".", &st, 0) == 0 && S_ISDIR(st.st_mode));
    CHECK("AT_EMPTY_PATH", fstatat(f, "", &st, AT_EMPTY_PATH) == 0 && S_ISREG(st.st_mode));
    FAILS("empty path without AT_EMPTY_PATH", fstatat(f, "", &st, 0), ENOENT);
    FAILS("fstatat bad flags", fstatat(AT_FDCWD, "/", &st, 0x40000000), EINVAL);
    for (int i = 3; i < 32; i++) close(i);
    rmdir("/t_dirs/d1");
    unlink("/t_dirs/rel");
}

static void test_names(void) {
    struct stat st;
    CHECK("mkdir", mkdir("/t_dirs/a", 0750) == 0 && stat("/t_dirs/a", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK("mkdir mode", (st.st_mode & 0777) == 0750);
    CHECK("dir nlink", st.st_nlink == 2);
    FAILS("mkdir exists", mkdir("/t_dirs/a", 0755), EEXIST);
    FAILS("mkdir no parent", mkdir("/t_dirs/no/x", 0755), ENOENT);
    touch("/t_dirs/a/f");
    FAILS("mkdir under a file", mkdir("/t_dirs/a/f/x", 0755), ENOTDIR);
    FAILS("rmdir non-empty", rmdir("/t_dirs/a"), ENOTEMPTY);
    FAILS("rmdir a file", rmdir("/t_dirs/a/f"), ENOTDIR);
    FAILS("rmdir dot", rmdir("/t_dirs/a/."), EINVAL);
    FAILS("rmdir missing", rmdir("/t_dirs/none"), ENOENT);
    FAILS("unlink a dir", unlink("/t_dirs/a"), EISDIR);
    FAILS("unlink missing", unlink("/t_dirs/none"), ENOENT);
    /* rename(2) replaces; renameat2 RENAME_NOREPLACE does not */
    touch("/t_dirs/a/g");
    int held = open("/t_dirs/a/g", O_WRONLY);
    write(held, "old", 3);
    CHECK("rename over a file", rename("/t_dirs/a/f", "/t_dirs/a/g") == 0 && access("/t_dirs/a/f", F_OK) == -1);
    CHECK("replaced one stays open", fstat(held, &st) == 0 && st.st_nlink == 0 && st.st_size == 3);
    close(held);
    touch("/t_dirs/a/h");
    FAILS("RENAME_NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, "/t_dirs/a/h", AT_FDCWD, "/t_dirs/a/g", 1), EEXIST);
    FAILS("renameat2 bad flags", syscall(SYS_renameat2, AT_FDCWD, "/t_dirs/a/h", AT_FDCWD, "/t_dirs/a/q", 8), EINVAL);
    CHECK("renameat2 flags 0", syscall(SYS_renameat2, AT_FDCWD, "/t_dirs/a/h", AT_FDCWD, "/t_dirs/a/q", 0) == 0);
    mkdir("/t_dirs/b", 0755);
    FAILS("rename file over dir", rename("/t_dirs/a/q", "/t_dirs/b"), EISDIR);
    FAILS("rename dir over file", rename("/t_dirs/b", "/t_dirs/a/q"), ENOTDIR);
    FAILS("rename dir over non-empty dir", rename("/t_dirs/b", "/t_dirs/a"), ENOTEMPTY);
    FAILS("rename dir into itself", rename("/t_dirs/a", "/t_dirs/a/in"), EINVAL);
    FAILS("rename missing", rename("/t_dirs/none", "/t_dirs/x"), ENOENT);
    CHECK("rename onto itself", rename("/t_dirs/a/q", "/t_dirs/a/q") == 0);
    /* access */
    CHECK("access F_OK", access("/t_dirs/a/q", F_OK) == 0 && access("/t_dirs/a/q", R_OK | W_OK) == 0);
    FAILS("access X_OK on 0644", access("/t_dirs/a/q", X_OK), EACCES);
    CHECK("access X_OK on a dir", access("/t_dirs/a", X_OK) == 0);
    FAILS("access missing", access("/t_dirs/none", F_OK), ENOENT);
    FAILS("access bad mode", access("/t_dirs/a", 8), EINVAL);
    FAILS("access W_OK on an immutable file", access("/VERSION", W_OK), EPERM);
    CHECK("faccessat", faccessat(AT_FDCWD, "/t_dirs/a", R_OK, 0) == 0);
    /* lstat, stat and fstatat agree */
    struct stat a, b;
    CHECK("stat == lstat", stat("/t_dirs/a/q", &a) == 0 && lstat("/t_dirs/a/q", &b) == 0 && a.st_ino == b.st_ino);
    CHECK("fstatat == stat", fstatat(AT_FDCWD, "/t_dirs/a/q", &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino);
    FAILS("stat missing", stat("/t_dirs/none", &a), ENOENT);
    FAILS("stat under a file", stat("/t_dirs/a/q/x", &a), ENOTDIR);
    FAILS("stat trailing slash on a file", stat("/t_dirs/a/q/", &a), ENOTDIR);
    unlink("/t_dirs/a/q");
    unlink("/t_dirs/a/g");
    rmdir("/t_dirs/a");
    rmdir("/t_dirs/b");
}

static void test_paths(void) {
    struct stat st;
    CHECK("// and /./", stat("//t_dirs/.//", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(".. above /", stat("/../../t_dirs", &st) == 0);
    /* 1100 bytes of "/aaa...": every name fits (VFS_NAME_MAX 255), the path
     * does not (VFS_PATH_MAX 1023). */
    char longp[1100];
    memset(longp, 'a', sizeof longp - 1);
    for (size_t i = 0; i < sizeof longp - 1; i += 100) longp[i] = '/';
    longp[sizeof longp - 1] = 0;
    FAILS("path too long", stat(longp, &st), ENAMETOOLONG);
    char name[8 + 256 + 1] = "/t_dirs/";
    memset(name + 8, 'a', 256);
    name[8 + 256] = 0;
    FAILS("name too long", mkdir(name, 0755), ENAMETOOLONG);
    name[8 + 255] = 0;
    CHECK("a 255-byte name", mkdir(name, 0755) == 0 && stat(name, &st) == 0 && rmdir(name) == 0);
    FAILS("control byte in a name", open("/t_dirs/bad\x1b[2J", O_CREAT | O_WRONLY, 0644), EINVAL);
    FAILS("newline in a name", mkdir("/t_dirs/a\nb", 0755), EINVAL);
    /* ".." is lexical in SECoS (no symbolic links): "x/.." is the directory
     * holding x, and a long run of them normalises to something short. */
    char dots[240] = "/t_dirs";
    for (int i = 0; i < 30; i++) strcat(dots, "/x/..");
    CHECK("x/.. repeated", stat(dots, &st) == 0 && S_ISDIR(st.st_mode));
    FAILS("root is busy", rmdir("/"), EBUSY);
    FAILS("rename the root", rename("/", "/t_dirs/r"), EBUSY);
}

static void test_proc(int argc, char **argv) {
    char buf[512];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    CHECK("readlink /proc/self/exe", n > 0 && (buf[n] = 0, !strcmp(buf, "/bin/t_dirs")));
    CHECK("readlink truncates", readlink("/proc/self/exe", buf, 4) == 4 && !memcmp(buf, "/bin", 4));
    FAILS("readlink a file", readlink("/VERSION", buf, sizeof buf), EINVAL);
    FAILS("readlink missing", readlink("/t_dirs/none", buf, sizeof buf), ENOENT);
    FAILS("readlink bad size", syscall(SYS_readlink, "/proc/self/exe", buf, 0), EINVAL);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/exe", getpid());
    CHECK("readlink /proc/<pid>/exe", readlink(path, buf, sizeof buf) == (ssize_t)strlen("/bin/t_dirs"));
    CHECK("readlinkat", readlinkat(AT_FDCWD, "/proc/self/exe", buf, sizeof buf) > 0);
    struct stat st;
    CHECK("lstat exe is a link", lstat("/proc/self/exe", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK("stat exe follows", stat("/proc/self/exe", &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 1000);
    int fd = open("/proc/self/stat", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char want[64];
    snprintf(want, sizeof want, "%d (t_dirs) R %d ", getpid(), getppid());
    CHECK("/proc/self/stat", n > 0 && !strncmp(buf, want, strlen(want)));
    int fields = 0;
    for (char *s = strrchr(buf, ')'); s && *s; s++) fields += *s == ' ';
    CHECK("/proc/self/stat has 50 fields after comm", fields >= 50);
    fd = open("/proc/self/cmdline", O_RDONLY);
    n = read(fd, buf, sizeof buf);
    close(fd);
    size_t want_len = 0;
    for (int i = 0; i < argc; i++) want_len += strlen(argv[i]) + 1;
    CHECK("/proc/self/cmdline", n == (ssize_t)want_len && !strcmp(buf, argv[0]) &&
                                    (argc < 2 || !strcmp(buf + strlen(argv[0]) + 1, argv[1])));
    /* The kernel shell (pid 1): metadata only */
    fd = open("/proc/1/stat", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    CHECK("/proc/1/stat", n > 0 && !strncmp(buf, "1 (", 3));
    FAILS("no exe for a kernel task", readlink("/proc/1/exe", buf, sizeof buf), ENOENT);
    FAILS("no such pid", open("/proc/99999/stat", O_RDONLY), ENOENT);
    FAILS("no leading zeros", open("/proc/01/stat", O_RDONLY), ENOENT);
    FAILS("no other files", open("/proc/self/mem", O_RDONLY), ENOENT);
    FAILS("/proc is read-only", open("/proc/self/stat", O_WRONLY), EROFS);
    FAILS("no creating in /proc", open("/proc/x", O_CREAT | O_WRONLY, 0644), EROFS);
    char names[80][64];
    int sane;
    int count = list("/proc", 1024, names, 80, &sane);
    snprintf(want, sizeof want, "%d", getpid());
    CHECK("/proc lists the pids", count > 5 && has(names, count, want) && has(names, count, "1") &&
                                      has(names, count, "self") && has(names, count, "uptime"));
    fd = open("/proc/uptime", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK("/proc/uptime", n > 4 && strchr(buf, '.'));
    fd = open("/proc/meminfo", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK("/proc/meminfo", n > 10 && !strncmp(buf, "MemTotal:", 9));
}

int main(int argc, char **argv) {
    CHECK("mkdir /t_dirs", mkdir("/t_dirs", 0755) == 0);
    test_getdents();
    test_cwd();
    test_names();
    test_paths();
    test_proc(argc, argv);
    chdir("/");
    CHECK("cleanup", rmdir("/t_dirs") == 0);
    printf("t_dirs: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

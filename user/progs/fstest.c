/* fstest: every file system call, the normal path and the error cases.
 * One line per check, then "fstest: <n> checks, <m> failed". Cleans up after
 * itself so it can run again. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

static long nchecks, nfailed;

static void expect(const char *what, long got, long want) {
    nchecks++;
    int ok = got == want;
    if (!ok) nfailed++;
    printf("fstest: %s -> %ld (want %ld) %s\n", what, got, want, ok ? "ok" : "FAIL");
}

static void expect_fd(const char *what, long got) {
    nchecks++;
    int ok = got >= 3 && got < SECOS_FD_MAX;
    if (!ok) nfailed++;
    printf("fstest: %s -> %ld %s\n", what, got, ok ? "ok" : "FAIL");
}

static char buf[4096], back[4096];

int main(void) {
    struct secos_dirent d;
    for (int i = 0; i < 4096; i++) buf[i] = (char)(i * 7 + 1);

    expect("mkdir /fst", sys_mkdir("/fst"), 0);
    expect("mkdir /fst again", sys_mkdir("/fst"), -EEXIST);
    expect("mkdir without parent", sys_mkdir("/nope/sub"), -ENOENT);
    long fd = sys_open("/fst/a", O_CREAT | O_RDWR);
    expect_fd("open O_CREAT|O_RDWR", fd);
    expect("write 4096", sys_write(fd, buf, 4096), 4096);
    expect("lseek SET 0", sys_lseek(fd, 0, SEEK_SET), 0);
    expect("read 4096", sys_read(fd, back, 4096), 4096);
    expect("data matches", memcmp(buf, back, 4096), 0);
    expect("read at EOF", sys_read(fd, back, 10), 0);
    expect("lseek END", sys_lseek(fd, 0, SEEK_END), 4096);
    expect("lseek CUR -96", sys_lseek(fd, -96, SEEK_CUR), 4000);
    expect("read tail", sys_read(fd, back, 4096), 96);
    expect("lseek negative", sys_lseek(fd, -1, SEEK_SET), -EINVAL);
    expect("lseek bad whence", sys_lseek(fd, 0, 9), -EINVAL);
    expect("write past the end (gap)", (sys_lseek(fd, 5000, SEEK_SET), sys_write(fd, "Z", 1)), 1);
    expect("size after gap", sys_lseek(fd, 0, SEEK_END), 5001);
    expect("gap reads as zeros", (sys_lseek(fd, 4500, SEEK_SET), sys_read(fd, back, 1), back[0]), 0);
    expect("close", sys_close(fd), 0);
    expect("close again", sys_close(fd), -EBADF);
    expect("read closed fd", sys_read(fd, back, 1), -EBADF);
    expect("write fd 99", sys_write(99, "x", 1), -EBADF);
    expect("read fd -1", sys_read(-1, back, 1), -EBADF);
    expect("lseek closed fd", sys_lseek(fd, 0, SEEK_SET), -EBADF);

    expect("open missing", sys_open("/fst/missing", O_RDONLY), -ENOENT);
    expect("open bad flags", sys_open("/fst/a", 0x100000), -EINVAL);
    expect("open dir for writing", sys_open("/fst", O_WRONLY), -EISDIR);
    expect("open immutable for writing", sys_open("/VERSION", O_WRONLY), -EPERM);
    fd = sys_open("/VERSION", O_RDONLY);
    expect_fd("open /VERSION read-only", fd);
    long n = sys_read(fd, back, 64);
    expect("read /VERSION starts with SECoS", n > 6 && memcmp(back, "SECoS ", 6) == 0, 1);
    expect("write to read-only fd", sys_write(fd, "x", 1), -EBADF);
    sys_close(fd);

    fd = sys_open("/fst/a", O_WRONLY | O_TRUNC);
    expect("O_TRUNC empties", sys_lseek(fd, 0, SEEK_END), 0);
    expect("read from write-only fd", sys_read(fd, back, 1), -EBADF);
    sys_close(fd);
    fd = sys_open("/fst/a", O_WRONLY | O_APPEND);
    sys_write(fd, "ab", 2);
    sys_lseek(fd, 0, SEEK_SET);
    sys_write(fd, "cd", 2);
    expect("O_APPEND writes at the end", sys_lseek(fd, 0, SEEK_END), 4);
    sys_close(fd);

    expect("readdir /fst 0", sys_readdir("/fst", 0, &d, sizeof d), 0);
    expect("readdir name", strcmp(d.name, "a"), 0);
    expect("readdir type", d.type, SECOS_DT_FILE);
    expect("readdir size", (long)d.size, 4);
    expect("readdir past the end", sys_readdir("/fst", 1, &d, sizeof d), -ENOENT);
    expect("readdir small buffer", sys_readdir("/fst", 0, &d, 8), -EINVAL);
    expect("readdir of a file", sys_readdir("/fst/a", 0, &d, sizeof d) < 0, 1);

    expect("rename a -> b", sys_rename("/fst/a", "/fst/b"), 0);
    expect("old name gone", sys_open("/fst/a", O_RDONLY), -ENOENT);
    expect("rename missing", sys_rename("/fst/a", "/fst/c"), -ENOENT);
    expect("rename dir into itself", sys_rename("/fst", "/fst/sub"), -EINVAL);
    expect("rename immutable", sys_rename("/VERSION", "/V2"), -EPERM);

    long fds[SECOS_FD_MAX];
    int opened = 0;
    long last = 0;
    for (int i = 0; i < SECOS_FD_MAX; i++) {
        last = sys_open("/fst/b", O_RDONLY);
        if (last < 0) break;
        fds[opened++] = last;
    }
    expect("descriptor limit -> EMFILE", last, -EMFILE);
    expect("descriptors available", opened, SECOS_FD_MAX - 3);
    for (int i = 0; i < opened; i++) sys_close(fds[i]);

    expect("unlink non-empty dir", sys_unlink("/fst"), -ENOTEMPTY);
    expect("unlink file", sys_unlink("/fst/b"), 0);
    expect("unlink again", sys_unlink("/fst/b"), -ENOENT);
    expect("unlink immutable", sys_unlink("/VERSION"), -EPERM);
    expect("unlink dir", sys_unlink("/fst"), 0);
    {
        static char longname[1 + 256 + 1];   /* one byte past VFS_NAME_MAX (255) */
        longname[0] = '/';
        for (int i = 1; i <= 256; i++) longname[i] = 'a';
        expect("name too long", sys_mkdir(longname), -ENAMETOOLONG);
    }

    /* /proc through SECoS's calls: a process that is gone makes a /proc
     * file opened while it lived -ESRCH, never a stale read. */
    const char *argv[] = { "true", 0 };
    long child = sys_spawn("true", argv, 0);
    expect("spawn true", child > 0, 1);
    char path[32] = "/proc/";
    long v = child, len = 6;
    char digits[12];
    int nd = 0;
    do { digits[nd++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (nd) path[len++] = digits[--nd];
    memcpy(path + len, "/stat", 6);
    long pfd = sys_open(path, O_RDONLY);
    expect_fd("open /proc/<child>/stat", pfd);
    expect("its stat names it", sys_read(pfd, back, 64) > 8 && memcmp(back + len - 6, " (true) ", 8) == 0, 1);
    int status;
    expect("reap the child", sys_wait(child, &status), child);
    expect("read after it is gone", (sys_lseek(pfd, 0, SEEK_SET), sys_read(pfd, back, 64)), -ESRCH);
    expect("open after it is gone", sys_open(path, O_RDONLY), -ENOENT);
    expect("close", sys_close(pfd), 0);

    printf("fstest: %ld checks, %ld failed\n", nchecks, nfailed);
    return nfailed != 0;
}

/* Typed system call wrappers, each in both entry kinds (see syscall.h). */
#include "syscall.h"

#define A(x) ((long)(x))

/* WRAP(name, params, a1..a6) defines sys_name (SYSCALL) and
 * sys_name_int80 (INT 0x80) with the same arguments. */
#define WRAP(name, params, a1, a2, a3, a4, a5, a6)                                       \
    long sys_##name params { return syscall6(SYS_##name, a1, a2, a3, a4, a5, a6); }       \
    long sys_##name##_int80 params { return int80_6(SYS_##name, a1, a2, a3, a4, a5, a6); }

WRAP(yield, (void), 0, 0, 0, 0, 0, 0)
WRAP(exit, (int status), A(status), 0, 0, 0, 0, 0)
WRAP(write, (int fd, const void *buf, size_t len), A(fd), A(buf), A(len), 0, 0, 0)
WRAP(read, (int fd, void *buf, size_t len), A(fd), A(buf), A(len), 0, 0, 0)
WRAP(getpid, (void), 0, 0, 0, 0, 0, 0)
WRAP(sleep, (unsigned long ms), A(ms), 0, 0, 0, 0, 0)
WRAP(spawn, (const char *path, const char *const *argv, long flags), A(path), A(argv), flags, 0, 0, 0)
WRAP(wait, (long pid, int *status), pid, A(status), 0, 0, 0, 0)
WRAP(mmap, (void *addr, size_t len, int prot), A(addr), A(len), A(prot), 0, 0, 0)
WRAP(munmap, (void *addr, size_t len), A(addr), A(len), 0, 0, 0, 0)
WRAP(open, (const char *path, int flags), A(path), A(flags), 0, 0, 0, 0)
WRAP(close, (int fd), A(fd), 0, 0, 0, 0, 0)
WRAP(lseek, (int fd, long off, int whence), A(fd), off, A(whence), 0, 0, 0)
WRAP(readdir, (const char *path, unsigned long index, void *buf, size_t len),
     A(path), A(index), A(buf), A(len), 0, 0)
WRAP(mkdir, (const char *path), A(path), 0, 0, 0, 0, 0)
WRAP(unlink, (const char *path), A(path), 0, 0, 0, 0, 0)
WRAP(rename, (const char *from, const char *to), A(from), A(to), 0, 0, 0, 0)
WRAP(driver, (driver_call_t *call), A(call), 0, 0, 0, 0, 0)
WRAP(dup, (int fd), A(fd), 0, 0, 0, 0, 0)
WRAP(dup2, (int fd, int to), A(fd), A(to), 0, 0, 0, 0)
WRAP(fork, (void), 0, 0, 0, 0, 0, 0)
WRAP(exec, (const char *path, const char *const *argv, const char *const *envp), A(path), A(argv), A(envp), 0, 0, 0)

/* Raw system calls and typed wrappers, in both entry kinds.
 *
 * ABI (include/secos/syscall.h): number in rax; args rdi, rsi, rdx, r10, r8,
 * r9; result in rax, a negative errno on failure. SYSCALL clobbers rcx and
 * r11 (the CPU puts rip and rflags there); INT 0x80 preserves every register
 * but rax, so its asm declares no other clobbers -- if the kernel broke that
 * promise, programs using the _int80 wrappers would misbehave visibly.
 *
 * sys_<name>() enters through SYSCALL, sys_<name>_int80() through INT 0x80.
 * Every wrapper exists in both kinds (generated in syscall.c). */
#ifndef USER_SYSCALL_H
#define USER_SYSCALL_H
#include <secos/syscall.h>
#include <secos/errno.h>
#include <secos/driver.h>
#include <stddef.h>

static inline long syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory", "cc");
    return ret;
}

static inline long int80_6(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "memory", "cc");
    return ret;
}

/* Typed wrappers. Argument conventions the kernel is expected to follow;
 * the ones marked (guess) are not fixed by syscall.h yet -- adjust both
 * sides together. */
#define USER_SYSCALL_PROTOS(name, params) \
    long sys_##name params;               \
    long sys_##name##_int80 params;

USER_SYSCALL_PROTOS(yield, (void))
USER_SYSCALL_PROTOS(exit, (int status))
USER_SYSCALL_PROTOS(write, (int fd, const void *buf, size_t len))
USER_SYSCALL_PROTOS(read, (int fd, void *buf, size_t len))
USER_SYSCALL_PROTOS(getpid, (void))
USER_SYSCALL_PROTOS(sleep, (unsigned long ms))                       /* (guess: milliseconds) */
USER_SYSCALL_PROTOS(spawn, (const char *path, const char *const *argv, long flags))
USER_SYSCALL_PROTOS(wait, (long pid, int *status))
USER_SYSCALL_PROTOS(mmap, (void *addr, size_t len, int prot))       /* addr must be 0 */
USER_SYSCALL_PROTOS(munmap, (void *addr, size_t len))
USER_SYSCALL_PROTOS(open, (const char *path, int flags))
USER_SYSCALL_PROTOS(close, (int fd))
USER_SYSCALL_PROTOS(lseek, (int fd, long off, int whence))
USER_SYSCALL_PROTOS(readdir, (const char *path, unsigned long index, void *buf, size_t len)) /* (guess) */
USER_SYSCALL_PROTOS(mkdir, (const char *path))
USER_SYSCALL_PROTOS(unlink, (const char *path))
USER_SYSCALL_PROTOS(rename, (const char *from, const char *to))
USER_SYSCALL_PROTOS(driver, (driver_call_t *call))  /* DRV_* result, or -EFAULT/-ENOMEM */
USER_SYSCALL_PROTOS(dup, (int fd))
USER_SYSCALL_PROTOS(dup2, (int fd, int to))
USER_SYSCALL_PROTOS(fork, (void))                   /* child pid; 0 in the child */
USER_SYSCALL_PROTOS(exec, (const char *path, const char *const *argv, const char *const *envp)) /* only on failure */

#undef USER_SYSCALL_PROTOS

/* mmap returns an address or a negative errno; user addresses are in the
 * lower half, so only [-4095, -1] can be an error. */
static inline int sys_is_err(long r) { return r < 0 && r >= -4095; }

#endif

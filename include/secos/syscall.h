/* The system call interface, shared by the kernel and user space.
 *
 * ABI (both entry kinds, INT 0x80 and SYSCALL): number in rax; arguments in
 * rdi, rsi, rdx, r10, r8, r9; result in rax, a negative errno on failure.
 * SYSCALL clobbers rcx and r11; INT 0x80 preserves every other register.
 *
 * SECOS_SYSCALLS is the one list: the kernel's dispatch table, the user
 * wrappers' numbers and /sys/syscalls.txt are all generated from it. */
#ifndef SECOS_SYSCALL_H
#define SECOS_SYSCALL_H

#include <stdint.h>

#define SECOS_SYSCALLS(X)   \
    X(0, yield)             \
    X(1, exit)              \
    X(2, write)             \
    X(3, read)              \
    X(4, getpid)            \
    X(5, sleep)             \
    X(6, spawn)             \
    X(7, wait)              \
    X(8, mmap)              \
    X(9, munmap)            \
    X(10, open)             \
    X(11, close)            \
    X(12, lseek)            \
    X(13, readdir)          \
    X(14, mkdir)            \
    X(15, unlink)           \
    X(16, rename)           \
    X(17, driver)           \
    X(18, dup)              \
    X(19, dup2)

#define SECOS_SYSCALL_ENUM(num, name) SYS_##name = num,
enum secos_syscall { SECOS_SYSCALLS(SECOS_SYSCALL_ENUM) SYS_COUNT };
#undef SECOS_SYSCALL_ENUM

/* Upper-case aliases, as the issues and docs spell them. */
#define SYS_YIELD   SYS_yield
#define SYS_EXIT    SYS_exit
#define SYS_WRITE   SYS_write
#define SYS_READ    SYS_read
#define SYS_GETPID  SYS_getpid
#define SYS_SLEEP   SYS_sleep
#define SYS_SPAWN   SYS_spawn
#define SYS_WAIT    SYS_wait
#define SYS_MMAP    SYS_mmap
#define SYS_MUNMAP  SYS_munmap
#define SYS_OPEN    SYS_open
#define SYS_CLOSE   SYS_close
#define SYS_LSEEK   SYS_lseek
#define SYS_READDIR SYS_readdir
#define SYS_MKDIR   SYS_mkdir
#define SYS_UNLINK  SYS_unlink
#define SYS_RENAME  SYS_rename
#define SYS_DRIVER  SYS_driver
#define SYS_DUP     SYS_dup
#define SYS_DUP2    SYS_dup2

/* Standard descriptors: the console. */
#define STDIN_FD  0
#define STDOUT_FD 1
#define STDERR_FD 2

/* SYS_spawn(path, argv, 0): argv is a NULL-terminated array of at most
 * SPAWN_MAX_ARGS strings, each at most SPAWN_MAX_ARG_LEN bytes. */
#define SPAWN_MAX_ARGS    16
#define SPAWN_MAX_ARG_LEN 128

/* SYS_wait(pid or -1, int *status): returns the reaped pid. A process killed
 * by the kernel has status 128 + exception vector. */
#define WAIT_ANY (-1)

/* SYS_mmap(0, length, prot): anonymous, demand-zero, at an address the kernel
 * chooses (with an unmapped page before and after). Never executable:
 * PROT_EXEC is refused with -EPERM. -ENOMEM past 4 GiB or when the process's
 * table of 256 regions is full.
 * SYS_munmap(addr, length): takes back exactly one mapping SYS_mmap made
 * (length rounded up to pages); anything else is -EINVAL. */
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4

/* SYS_lseek whence */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

/* SYS_readdir(path, index, struct secos_dirent *buf, len): fills the
 * index-th entry of the directory; -ENOENT past the last one; len must be at
 * least sizeof(struct secos_dirent). */
#define SECOS_DT_FILE 1
#define SECOS_DT_DIR  2
struct secos_dirent {
    char name[64];      /* NUL-terminated */
    uint32_t type;      /* SECOS_DT_* */
    uint32_t immutable;
    uint64_t size;
};

/* At most this many descriptors per process (0-2 start as the console).
 * SYS_dup(fd): the lowest free descriptor, sharing fd's open file (and its
 * offset). SYS_dup2(fd, to): to shares fd's open file, what to held is
 * closed first; dup2(fd, fd) returns fd. -EBADF for a closed or out-of-range
 * descriptor, -EMFILE when the table is full. */
#define SECOS_FD_MAX 256

/* SYS_open flags (Linux's values: the Linux personality shares them).
 * SYS_open takes O_RDONLY..O_APPEND; the Linux calls all of them. */
#define O_ACCMODE 3
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR   2
#define O_CREAT  0x40
#define O_EXCL   0x80
#define O_NOCTTY 0x100
#define O_TRUNC  0x200
#define O_APPEND 0x400
#define O_NONBLOCK  0x800
#define O_LARGEFILE 0x8000   /* musl passes it; every file is large here */
#define O_DIRECTORY 0x10000
#define O_NOFOLLOW  0x20000
#define O_CLOEXEC   0x80000

#endif

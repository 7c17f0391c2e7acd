/* read and write: the console behind fds 0-2, every other descriptor through
 * the descriptor table (fs/fd.c). */
#include "kernel/syscall.h"
#include "kernel/input.h"
#include "kernel/proc.h"
#include "fs/fd.h"
#include "mm/usercopy.h"
#include "lib/console_out.h"
#include "secos/errno.h"

long sys_write(SYSARGS) {
    UNUSED_ARGS();
    int fd = (int)a0;
    if (fd != STDOUT_FD && fd != STDERR_FD) return fd_write(fd, a1, a2);
    if (a2 == 0) return 0;
    if (!user_range_valid(a1, a2, 0)) return -EFAULT;
    char buf[256];
    for (uint64_t done = 0; done < a2;) {
        uint64_t n = a2 - done < sizeof buf ? a2 - done : sizeof buf;
        if (copy_from_user(buf, a1 + done, n)) return done ? (long)done : -EFAULT;
        console_program_write(buf, n);
        done += n;
        sched_resched_point();   /* the console is slow: others (the shell) run between chunks */
    }
    return (long)a2;
}

long sys_read(SYSARGS) {
    UNUSED_ARGS();
    int fd = (int)a0;
    if (fd != STDIN_FD) return fd_read(fd, a1, a2);
    if (a2 == 0) return 0;
    if (!user_range_valid(a1, a2, 1)) return -EFAULT;
    uint8_t c = console_getc(); /* blocks: this process uses no CPU meanwhile */
    uint64_t n = 0;
    for (;;) {
        if (copy_to_user(a1 + n, &c, 1)) return n ? (long)n : -EFAULT;
        n++;
        if (n == a2 || c == '\n' || c == '\r' || console_try_getc(&c) != 0) break;
    }
    return (long)n;
}


/* pipe and pipe2 (Linux personality): two new descriptors, the read end
 * first; O_CLOEXEC sets FD_CLOEXEC on both, O_NONBLOCK goes into both
 * descriptions. */
#include "kernel/syscall.h"
#include "fs/fd.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "mm/usercopy.h"
#include "secos/errno.h"
#include "secos/syscall.h"
#include "kernel/proc.h"

long linux_pipe2(SYSARGS) {
    UNUSED_ARGS();
    if (a1 & ~(uint64_t)(O_NONBLOCK | O_CLOEXEC)) return -EINVAL;
    if (!user_range_valid(a0, 2 * sizeof(int), 1)) return -EFAULT;
    struct file *r, *w;
    int err = pipe_create((int)a1 & O_NONBLOCK, &r, &w);
    if (err) return err;
    int cloexec = (a1 & O_CLOEXEC) != 0;
    int fds[2] = { fd_install(current, 0, r, cloexec), -1 };
    if (fds[0] >= 0) fds[1] = fd_install(current, 0, w, cloexec);
    if (fds[1] < 0) {
        if (fds[0] >= 0) fd_close((uint64_t)fds[0]); /* drops r */
        else file_put(r);
        file_put(w);
        return -EMFILE;
    }
    if (copy_to_user(a0, fds, sizeof fds)) {
        fd_close((uint64_t)fds[0]);
        fd_close((uint64_t)fds[1]);
        return -EFAULT;
    }
    return 0;
}

long linux_pipe(SYSARGS) {
    UNUSED_ARGS();
    return linux_pipe2(a0, 0, 0, 0, 0, 0);
}

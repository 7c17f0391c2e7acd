/* read and write: through the descriptor's open-file description. */
#include "kernel/syscall.h"
#include "fs/fd.h"
#include "fs/file.h"
#include "secos/errno.h"
#include "secos/syscall.h"

long sys_read(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f || (f->flags & O_ACCMODE) == O_WRONLY || !f->ops->read) return -EBADF;
    return f->ops->read(f, a1, a2, &f->off);
}

long sys_write(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f || (f->flags & O_ACCMODE) == O_RDONLY || !f->ops->write) return -EBADF;
    return f->ops->write(f, a1, a2, &f->off);
}

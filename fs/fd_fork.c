/* Descriptors across fork: the child's table points at the same open-file
 * descriptions as the parent's (one more reference each), so both share
 * offsets, as on Unix. Registered as a proc fork hook at fs init. */
#include "fs/fd.h"
#include "fs/file.h"
#include "kernel/proc.h"

void fd_fork_share(struct proc *child, struct proc *parent) {
    for (int i = 0; i < SECOS_FD_MAX; i++)
        child->files[i] = parent->files[i] ? file_get(parent->files[i]) : 0;
}

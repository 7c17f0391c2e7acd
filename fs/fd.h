/* Per-process file descriptors (fs/fd.c): 0-2 are the console,
 * 3..SECOS_FD_MAX-1 name files in the VFS. */
#ifndef FS_FD_H
#define FS_FD_H
#include <stdint.h>

struct proc;

/* read/write on a descriptor that is not the console (3 and up). */
long fd_read(int fd, uint64_t buf, uint64_t len);
long fd_write(int fd, uint64_t buf, uint64_t len);
int files_open_count(const struct proc *p);
/* Closes every file of a process that ends (a proc release hook). */
void files_release(struct proc *p);

#endif

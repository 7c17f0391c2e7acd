/* Per-process file descriptors (fs/fd.c): 0-2 start as the console; every
 * descriptor points at an open-file description (fs/file.h). */
#ifndef FS_FD_H
#define FS_FD_H
#include <stdint.h>

struct proc;
struct file;

/* The current process's description behind descriptor fd, or 0. */
struct file *fd_get(uint64_t fd);
/* Puts f (the caller's reference) behind the lowest free descriptor of the
 * current process: the descriptor, or -EMFILE (f untouched). */
int fd_install(struct file *f);
/* Descriptors that are not the console. */
int files_open_count(const struct proc *p);
/* A new process: the console behind 0-2 (a proc spawn hook). */
void files_setup(struct proc *p);
/* Closes every descriptor of a process that ends (a proc release hook). */
void files_release(struct proc *p);

#endif

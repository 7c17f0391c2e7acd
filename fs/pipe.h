/* Pipes (fs/pipe.c): a bounded ring between a read end and a write end,
 * each an open-file description (fs/file.h). */
#ifndef FS_PIPE_H
#define FS_PIPE_H

#define PIPE_RING_SIZE 65536 /* bytes a pipe holds, as Linux's default */
#define PIPE_BUF       4096  /* writes of at most this many bytes are atomic */

struct file;

/* A new pipe: 0 with both ends (one reference each), or -ENOMEM. flags may
 * hold O_NONBLOCK (both ends). */
int pipe_create(int flags, struct file **read_end, struct file **write_end);

#endif

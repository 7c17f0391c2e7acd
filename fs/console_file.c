/* The console as a file: one description, opened read-write, behind every
 * process's fds 0-2 until it replaces them, and never freed. It is the
 * console terminal (tty/tty.c), which fills in the ops and priv at boot
 * through console_file_set_ops: fs sits below the tty layer and cannot
 * name it. Until then it has no ops (reads and writes are -EBADF). */
#include "fs/file.h"
#include "secos/syscall.h"

static const struct file_ops no_ops;

/* One reference that is never dropped: the console outlives everyone. */
struct file console_file = { .ops = &no_ops, .refs = 1, .flags = O_RDWR, .path = "/dev/console" };

int file_is_console(const struct file *f) { return f == &console_file; }

void console_file_set_ops(const struct file_ops *ops, void *priv) {
    console_file.ops = ops;
    console_file.priv = priv;
}

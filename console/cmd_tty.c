/* Terminal commands: sh (a user shell owning the console terminal) and tty
 * (who has the terminal, what its line discipline holds and dropped). */
#include "console/shell.h"
#include "fs/vfs.h"
#include "tty/tty.h"
#include "lib/console_out.h"

/* /bin/sh, or busybox's sh when the initrd has no /bin/sh: a new session
 * leader (every program the console starts is one) that the console lends
 * the terminal to until it exits; then the console's termios come back and
 * `secos> ` with them. */
static int cmd_sh(int argc, char **argv) {
    char *args[SHELL_MAX_ARGS + 2];
    struct vfs_stat st;
    int n = 0;
    if (vfs_lookup("/bin/sh", &st) == 0) {
        args[n++] = "/bin/sh";
    } else if (vfs_lookup("/bin/busybox", &st) == 0) {
        args[n++] = "/bin/busybox";
        args[n++] = "sh";
    } else {
        kprintf("sh: neither /bin/sh nor /bin/busybox is there\n");
        return -1;
    }
    for (int i = 1; i < argc && n < SHELL_MAX_ARGS; i++) args[n++] = argv[i];
    args[n] = 0;
    int pid = shell_start_program(n, args);
    return pid < 0 ? -1 : shell_wait_session(pid);
}
SHELL_COMMAND(sh, "sh", "sh [args...]", "run /bin/sh (or busybox sh) on the console terminal until it exits", cmd_sh);

/* Any program the way sh runs /bin/sh: its own session owning the terminal,
 * so that Ctrl-C, Ctrl-Z and Ctrl-\ are signals to its foreground group
 * (under `run` Ctrl-C kills the program). For other shells and full-screen
 * programs: `session /bin/busybox sh -i`, `session /bin/busybox vi f`. */
static int cmd_session(int argc, char **argv) {
    if (argc < 2) {
        kprintf("usage: session <program> [args...]\n");
        return -1;
    }
    int pid = shell_start_program(argc - 1, argv + 1);
    return pid < 0 ? -1 : shell_wait_session(pid);
}
SHELL_COMMAND(session, "session", "session <program> [args...]",
              "run a program as a terminal session: keys like Ctrl-C are its signals, not a kill", cmd_session);

static int cmd_tty(int argc, char **argv) {
    (void)argv;
    if (argc != 1) {
        kprintf("usage: tty\n");
        return -1;
    }
    struct tty_stats s;
    tty_console_stats(&s);
    if (s.session) kprintf("tty: session %d, foreground group %d\n", s.session, s.fg_pgrp);
    else kprintf("tty: the kernel console has the terminal\n");
    kprintf("tty: buffered %u, dropped %lu, received %lu\n", s.buffered, s.dropped, s.received);
    return 0;
}
SHELL_COMMAND(tty, "tty", "tty", "the console terminal: owner session, bytes buffered, dropped and received", cmd_tty);

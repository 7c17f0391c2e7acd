/* The shared body of poweroff and reboot. As PID 1 they call reboot(2)
 * themselves; otherwise they ask init (SIGUSR2: power off, SIGTERM: reboot,
 * busybox init's convention), which stops every process first. Without a
 * user-space init (the kernel console is pid 1), or with -f, they call
 * reboot(2) directly, which their manifest (MANIFEST_FLAG_POWER) allows. */
#ifndef USER_MUSL_POWER_H
#define USER_MUSL_POWER_H
#include "manifest.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS | MANIFEST_FLAG_ABI_LINUX | MANIFEST_FLAG_POWER, 4 << 20);

static int power_main(int argc, char **argv, const char *name, int init_signal, int how) {
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-f")) force = 1;
        else {
            int help = !strcmp(argv[i], "--help");
            fprintf(help ? stdout : stderr,
                    "usage: %s [-f]\nAsks init to stop every process and %s; -f: at once, without init.\n", name,
                    how == RB_POWER_OFF ? "switch the machine off" : "restart the machine");
            return help ? 0 : 2;
        }
    }
    if (getpid() != 1 && !force) {
        /* kill(1, 0) succeeds only for a user-space init (the kernel
         * console task answers EPERM). */
        if (kill(1, 0) == 0) {
            if (kill(1, init_signal) < 0) {
                fprintf(stderr, "%s: cannot signal init: %s\n", name, strerror(errno));
                return 1;
            }
            for (;;) pause(); /* init ends us with everyone else */
        }
    }
    sync();
    reboot(how);
    fprintf(stderr, "%s: reboot(2): %s\n", name, strerror(errno));
    return 1;
}

#endif

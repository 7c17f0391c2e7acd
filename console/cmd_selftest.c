/* selftest [prefix]: the in-kernel selftests again, from the console. */
#include "console/shell.h"
#include "kernel/selftest.h"
#include "lib/console_out.h"

static int cmd_selftest(int argc, char **argv) {
    if (argc > 2) {
        kprintf("usage: selftest [name-prefix]\n");
        return -1;
    }
    return selftest_run(argc == 2 ? argv[1] : 0) ? -1 : 0;
}
SHELL_COMMAND(selftest, "selftest", "selftest [prefix]", "run the in-kernel selftests (all, or those whose name starts with prefix)", cmd_selftest);

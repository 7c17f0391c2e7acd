#include "kernel/selftest.h"
#include "kernel/console.h"
#include "kernel/shell.h"
#include "lib/string.h"

extern const struct selftest __selftests_start[], __selftests_end[];

int selftest_run(const char *prefix) {
    int passed = 0, failed = 0;
    for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
        if (prefix && strncmp(t->name, prefix, strlen(prefix)) != 0) continue;
        int ok = t->fn() == 0;
        kprintf("[SELFTEST] %s %s\n", t->name, ok ? "PASS" : "FAIL");
        if (ok) passed++;
        else failed++;
    }
    kprintf("[SELFTEST] summary: %d passed, %d failed\n", passed, failed);
    return failed;
}

static int cmd_selftest(int argc, char **argv) {
    if (argc > 2) {
        kprintf("usage: selftest [name-prefix]\n");
        return -1;
    }
    return selftest_run(argc == 2 ? argv[1] : 0) ? -1 : 0;
}
SHELL_COMMAND(selftest, "selftest", "selftest [prefix]", "run the in-kernel selftests (all, or those whose name starts with prefix)", cmd_selftest);

#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "lib/string.h"

extern const struct selftest __selftests_start[], __selftests_end[]; /* boot/linker.ld */

int selftest_run(const char *prefix) {
    int passed = 0, failed = 0;
    for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
        if (prefix && strncmp(t->name, prefix, strlen(prefix)) != 0) continue;
        int ok = t->fn() == 0;
        kprintf("[SELFTEST] %s %s\n", t->name, ok ? "PASS" : "FAIL");
        if (ok) passed++;
        else failed++;
    }
    if (passed + failed == 0) {
        kprintf("[SELFTEST] no test name starts with \"%s\" (selftest with no argument runs them all)\n",
                prefix ? prefix : "");
        return 1;
    }
    kprintf("[SELFTEST] summary: %d passed, %d failed\n", passed, failed);
    return failed;
}

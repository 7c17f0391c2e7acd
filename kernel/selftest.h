/* In-kernel selftests: each SELFTEST body returns 0 for PASS. They run at
 * boot (unless built with -DM4_SELFTEST_ENABLE=0) and on demand with the
 * `selftest` shell command, printing "[SELFTEST] <name> PASS|FAIL" and a
 * summary line. */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#ifndef M4_SELFTEST_ENABLE
#define M4_SELFTEST_ENABLE 1
#endif

struct selftest {
    const char *name;
    int (*fn)(void);
};

#define SELFTEST(ident, name_)                                                              \
    static int selftest_fn_##ident(void);                                                   \
    static const struct selftest selftest_##ident                                           \
        __attribute__((section(".selftests"), used, aligned(8))) = { name_, selftest_fn_##ident }; \
    static int selftest_fn_##ident(void)

/* Inside a selftest: fail with a message naming the check. */
#define ST_CHECK(cond)                                                                      \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            kprintf("[SELFTEST]   check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);  \
            return -1;                                                                      \
        }                                                                                   \
    } while (0)

/* Runs every selftest whose name starts with prefix (NULL = all). Returns
 * the number of failures, or 1 (after saying so) when no name matches. */
int selftest_run(const char *prefix);

#endif

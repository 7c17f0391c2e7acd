/* Host unit tests for kernel/cmdline.c: key=value words and init=. */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/cmdline.h"

static void test_find(void **state) {
    (void)state;
    const char *v;
    size_t n;
    assert_int_equal(cmdline_find("/boot/kernel.elf quiet init=/sbin/init x=1", "init", &v, &n), 1);
    assert_int_equal(n, 10);
    assert_memory_equal(v, "/sbin/init", 10);
    assert_int_equal(cmdline_find("initrd=foo noinit init", "init", &v, &n), 0);
    assert_int_equal(cmdline_find("init=/a\tinit=/b", "init", &v, &n), 1); /* the last one wins */
    assert_memory_equal(v, "/b", 2);
    assert_int_equal(cmdline_find("", "init", &v, &n), 0);
    assert_int_equal(cmdline_find(NULL, "init", &v, &n), 0);
}

static void test_init_path(void **state) {
    (void)state;
    char out[CMDLINE_INIT_MAX];
    const char *why;
    assert_int_equal(cmdline_init_path("init=/sbin/init", out, sizeof out, &why), 1);
    assert_string_equal(out, "/sbin/init");
    assert_int_equal(cmdline_init_path("kernel.elf init=/bin/my-init_2.0+x", out, sizeof out, &why), 1);
    assert_string_equal(out, "/bin/my-init_2.0+x");
    assert_int_equal(cmdline_init_path("quiet", out, sizeof out, &why), 0);
    assert_int_equal(cmdline_init_path("init=", out, sizeof out, &why), 0);
}

static void test_init_path_refused(void **state) {
    (void)state;
    char out[CMDLINE_INIT_MAX];
    const char *why;
    const char *bad[] = {
        "init=sbin/init", "init=/", "init=/sbin/", "init=//sbin/init", "init=/sbin//init", "init=/sbin/../bin/sh",
        "init=/./init", "init=/bin/..", "init=/bin/s;h", "init=/bin/$x", "init=/bin/\x01", "init=/bin/a\\b",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        assert_int_equal(cmdline_init_path(bad[i], out, sizeof out, &why), -1);
        assert_non_null(why);
        assert_true(why[0] != '\0');
    }
    char longline[300] = "init=/";
    memset(longline + 6, 'a', 200);
    longline[206] = '\0';
    assert_int_equal(cmdline_init_path(longline, out, sizeof out, &why), -1);
    /* The limit exactly: CMDLINE_INIT_MAX - 1 bytes fit. */
    longline[5 + CMDLINE_INIT_MAX - 1] = '\0';
    assert_int_equal(cmdline_init_path(longline, out, sizeof out, &why), 1);
    assert_int_equal(strlen(out), CMDLINE_INIT_MAX - 1);
    /* A smaller buffer than the limit is respected too. */
    assert_int_equal(cmdline_init_path("init=/sbin/init", out, 8, &why), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_init_path),
        cmocka_unit_test(test_init_path_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

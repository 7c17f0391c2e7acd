/* Host unit tests for lib/klog.c: the ring and the redaction of kernel
 * addresses (no kernel pointer may reach /proc/dmesg). */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/klog.h"

static char *redact(const char *s) {
    static char out[1024];
    size_t n = klog_redact(s, strlen(s), out, sizeof out - 1);
    out[n] = '\0';
    return out;
}

static void test_redacts_kernel_addresses(void **state) {
    (void)state;
    assert_string_equal(redact("[M2] Stack switch ok rsp=0xffffff8000013fb0\n"), "[M2] Stack switch ok rsp=<kaddr>\n");
    assert_string_equal(redact("rip=0xffffffff80101234 cr2=0x0"), "rip=<kaddr> cr2=0x0");
    assert_string_equal(redact("heap ffff900000001000 end"), "heap <kaddr> end");
    assert_string_equal(redact("phys 0xFFFF800000000000"), "phys <kaddr>");
    /* 65+ bits cannot be an address, but could hide one: out too. */
    assert_string_equal(redact("x=0x1ffffffff80101234"), "x=<kaddr>");
}

static void test_keeps_everything_else(void **state) {
    (void)state;
    const char *keep[] = {
        "[KILL] pid=5 name=fault reason=#PF rip=0x401000 addr=0x0\n",
        "user 0x00007ffffff00000 stack", "ffff7fffffffffff is the top of the user half",
        "deadbeef", "name=ffffffff80101234x (a word, not a number)", "abc_ffffffff80101234",
        "ffff80000000000 (15 digits)", "",
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) assert_string_equal(redact(keep[i]), keep[i]);
}

static void test_ring_keeps_the_newest(void **state) {
    (void)state;
    struct klog *l = calloc(1, sizeof *l);
    assert_non_null(l);
    const char *msg = "hello 0xffffffff80100000\n";
    for (const char *c = msg; *c; c++) klog_putc(l, *c);
    char buf[64];
    uint64_t n = klog_read(l, 0, buf, sizeof buf);
    assert_int_equal(n, strlen("hello <kaddr>\n"));
    assert_memory_equal(buf, "hello <kaddr>\n", n);
    assert_int_equal(klog_read(l, n, buf, sizeof buf), 0);
    /* Past KLOG_SIZE bytes only the newest remain, oldest first. */
    for (unsigned i = 0; i < 2000; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %05u\n", i);
        for (char *c = line; *c; c++) klog_putc(l, *c);
    }
    assert_int_equal(klog_size(l), KLOG_SIZE);
    char *all = malloc(KLOG_SIZE);
    assert_int_equal(klog_read(l, 0, all, KLOG_SIZE), KLOG_SIZE);
    assert_memory_equal(all + KLOG_SIZE - 11, "line 01999\n", 11);
    free(all);
    free(l);
}

static void test_long_line_never_splits_an_address(void **state) {
    (void)state;
    struct klog *l = calloc(1, sizeof *l);
    assert_non_null(l);
    /* An address straddling the KLOG_LINE_MAX boundary of a line with no
     * newline: it must still come out redacted. */
    for (size_t off = KLOG_LINE_MAX - 20; off < KLOG_LINE_MAX + 4; off++) {
        memset(l, 0, sizeof *l);
        for (size_t i = 0; i < off; i++) klog_putc(l, 'a' + (i % 3 == 0 ? 23 : 0) /* "x" and "a": words */);
        klog_putc(l, ' ');
        const char *addr = "0xffffffff80101234 tail\n";
        for (const char *c = addr; *c; c++) klog_putc(l, *c);
        char *all = calloc(1, KLOG_SIZE + 1);
        klog_read(l, 0, all, KLOG_SIZE);
        assert_null(strstr(all, "ffff"));
        assert_non_null(strstr(all, "<kaddr> tail\n"));
        free(all);
    }
    free(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redacts_kernel_addresses),
        cmocka_unit_test(test_keeps_everything_else),
        cmocka_unit_test(test_ring_keeps_the_newest),
        cmocka_unit_test(test_long_line_never_splits_an_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Host unit tests for kernel/shebang.c: the "#!" line rules. */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/shebang.h"
#include "secos/errno.h"

static int parse(const char *s, struct shebang *sb) { return shebang_parse(s, strlen(s), sb); }

static void test_plain(void **state) {
    (void)state;
    struct shebang sb;
    assert_int_equal(parse("#!/bin/sh\necho hi\n", &sb), 1);
    assert_string_equal(sb.interp, "/bin/sh");
    assert_int_equal(sb.has_arg, 0);
    assert_int_equal(parse("#!/bin/sh", &sb), 1); /* the file's end ends the line */
    assert_string_equal(sb.interp, "/bin/sh");
}

static void test_blanks_and_argument(void **state) {
    (void)state;
    struct shebang sb;
    assert_int_equal(parse("#! \t/bin/busybox  sh -x \t\nrest", &sb), 1);
    assert_string_equal(sb.interp, "/bin/busybox");
    assert_int_equal(sb.has_arg, 1);
    assert_string_equal(sb.arg, "sh -x"); /* one argument, inner spaces kept (Linux) */
    assert_int_equal(parse("#!/bin/sh   \n", &sb), 1);
    assert_int_equal(sb.has_arg, 0);
}

static void test_not_a_script(void **state) {
    (void)state;
    struct shebang sb;
    assert_int_equal(parse("", &sb), 0);
    assert_int_equal(parse("#", &sb), 0);
    assert_int_equal(parse("\x7f" "ELF", &sb), 0);
    assert_int_equal(parse(" #!/bin/sh", &sb), 0);
}

static void test_refused(void **state) {
    (void)state;
    struct shebang sb;
    assert_int_equal(parse("#!", &sb), -ENOEXEC);
    assert_int_equal(parse("#!\n", &sb), -ENOEXEC);
    assert_int_equal(parse("#!   \n", &sb), -ENOEXEC);
    assert_int_equal(parse("#!sh\n", &sb), -ENOEXEC);            /* relative */
    assert_int_equal(parse("#!/bin/sh\r\n", &sb), -ENOEXEC);     /* CR: a DOS file */
    assert_int_equal(parse("#!/bin/s\033h\n", &sb), -ENOEXEC);
    assert_int_equal(shebang_parse("#!/bin\0/sh\n", 11, &sb), -ENOEXEC);
}

static void test_length_limit(void **state) {
    (void)state;
    struct shebang sb;
    char buf[600];
    /* A line of exactly SHEBANG_LINE_MAX - 1 bytes plus its newline fits. */
    memset(buf, 'a', sizeof buf);
    memcpy(buf, "#!/", 3);
    buf[SHEBANG_LINE_MAX - 1] = '\n';
    assert_int_equal(shebang_parse(buf, sizeof buf, &sb), 1);
    assert_int_equal(strlen(sb.interp), SHEBANG_LINE_MAX - 3);
    /* One more byte and the newline is past the limit. */
    memset(buf, 'a', sizeof buf);
    memcpy(buf, "#!/", 3);
    buf[SHEBANG_LINE_MAX] = '\n';
    assert_int_equal(shebang_parse(buf, sizeof buf, &sb), -ENOEXEC);
    /* A file shorter than the limit without a newline is one line. */
    assert_int_equal(shebang_parse(buf, SHEBANG_LINE_MAX - 1, &sb), 1);
    /* A file exactly as long as the limit without a newline: accepted as
     * a line that the end of file ends, nothing past it was looked at. */
    assert_int_equal(shebang_parse(buf, SHEBANG_LINE_MAX, &sb), 1);
    assert_int_equal(strlen(sb.interp), SHEBANG_LINE_MAX - 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_blanks_and_argument),
        cmocka_unit_test(test_not_a_script),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_length_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

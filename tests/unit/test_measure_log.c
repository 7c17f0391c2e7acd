/* fs/measure_log.c: the log's bound, sequence numbers and text form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fs/measure_log.h"

static struct measure_log lg;
static char text[MEASURE_TEXT_MAX];

static void digest(uint8_t d[32], uint8_t first) {
    for (int i = 0; i < 32; i++) d[i] = (uint8_t)(first + i);
}

static void test_empty_log_says_no_loader_measurements(void **state) {
    (void)state;
    measure_log_init(&lg);
    size_t n = measure_log_text(&lg, text, sizeof text);
    assert_string_equal(text, "no loader measurements (this boot path does not hash the images)\n");
    assert_int_equal(n, strlen(text));
}

static void test_boot_images_with_hex_and_pinned(void **state) {
    (void)state;
    uint8_t d[32];
    measure_log_init(&lg);
    lg.loader_measured = 1;
    digest(d, 0xf0);
    measure_log_add(&lg, "kernel", "kernel.elf", d, 1);
    measure_log_add(&lg, "initrd", "initrd.cpio", d, 0);
    measure_log_add(&lg, "exec", "/bin/x", d, -1);
    measure_log_text(&lg, text, sizeof text);
    const char *hex = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f";
    char want[512];
    snprintf(want, sizeof want, "1 kernel kernel.elf sha256:%s pinned\n2 initrd initrd.cpio sha256:%s unpinned\n"
             "3 exec /bin/x sha256:%s\n", hex, hex, hex);
    assert_string_equal(text, want);
}

static void test_full_log_counts_dropped_and_never_grows(void **state) {
    (void)state;
    uint8_t d[32];
    digest(d, 0);
    measure_log_init(&lg);
    lg.loader_measured = 1;
    for (int i = 0; i < MEASURE_MAX + 3; i++) measure_log_add(&lg, "exec", "/p", d, -1);
    assert_int_equal(lg.count, MEASURE_MAX);
    assert_int_equal(lg.dropped, 3);
    assert_int_equal(lg.entries[MEASURE_MAX - 1].seq, MEASURE_MAX);
    measure_log_text(&lg, text, sizeof text);
    assert_non_null(strstr(text, "\ndropped: 3 (log full)\n"));
    /* the next entry after a drop keeps counting: the gap is visible */
    assert_int_equal(lg.next_seq, MEASURE_MAX + 4);
}

static void test_long_and_hostile_names_are_cut_and_escaped(void **state) {
    (void)state;
    uint8_t d[32] = { 0 };
    char path[300];
    memset(path, 'a', sizeof path - 1);
    path[sizeof path - 1] = 0;
    path[0] = '\x1b';
    measure_log_init(&lg);
    lg.loader_measured = 1;
    measure_log_add(&lg, "a-name-longer-than-sixteen", path, d, -1);
    assert_int_equal(strlen(lg.entries[0].what), MEASURE_WHAT - 1);
    assert_int_equal(strlen(lg.entries[0].path), MEASURE_PATHLEN - 1);
    measure_log_text(&lg, text, sizeof text);
    assert_null(strchr(text, '\x1b'));
    assert_non_null(strstr(text, "\\x1b"));
}

static void test_small_buffer_is_cut_and_terminated(void **state) {
    (void)state;
    uint8_t d[32] = { 0 };
    char small[20];
    measure_log_init(&lg);
    lg.loader_measured = 1;
    measure_log_add(&lg, "kernel", "kernel.elf", d, 1);
    size_t n = measure_log_text(&lg, small, sizeof small);
    assert_int_equal(n, sizeof small - 1);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(measure_log_text(&lg, small, 0), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_log_says_no_loader_measurements),
        cmocka_unit_test(test_boot_images_with_hex_and_pinned),
        cmocka_unit_test(test_full_log_counts_dropped_and_never_grows),
        cmocka_unit_test(test_long_and_hostile_names_are_cut_and_escaped),
        cmocka_unit_test(test_small_buffer_is_cut_and_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

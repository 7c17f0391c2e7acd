/* fs/esp_match.c: the esp= option (a typo never makes the ESP writable) and
 * picking the boot volume among block devices by the loader's hash (none,
 * one, two identical volumes, unreadable devices ignored). */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/esp_match.h"
#include "lib/string.h"
#include "secos/errno.h"

static void test_mode(void **state) {
    (void)state;
    enum esp_mode m = ESP_MODE_OFF;
    assert_int_equal(esp_mode_parse("", &m), 0);
    assert_int_equal(m, ESP_MODE_RO);
    m = ESP_MODE_OFF;
    assert_int_equal(esp_mode_parse(NULL, &m), 0);
    assert_int_equal(m, ESP_MODE_RO);
    assert_int_equal(esp_mode_parse("init=/sbin/init esp=rw", &m), 0);
    assert_int_equal(m, ESP_MODE_RW);
    assert_int_equal(esp_mode_parse("esp=off quiet", &m), 0);
    assert_int_equal(m, ESP_MODE_OFF);
    assert_int_equal(esp_mode_parse("esp=rw esp=ro", &m), 0);   /* the last one counts */
    assert_int_equal(m, ESP_MODE_RO);
    const char *bad[] = { "esp=RW", "esp=rwx", "esp=", "esp=r", "esp=offf", "esp=yes", NULL };
    for (int i = 0; bad[i]; i++) {
        m = ESP_MODE_RW;
        assert_int_equal(esp_mode_parse(bad[i], &m), -EINVAL);
        assert_int_equal(m, ESP_MODE_RO);   /* refused values fall back to read-only */
    }
    assert_int_equal(esp_mode_parse("myesp=rw", &m), 0);   /* another key */
    assert_int_equal(m, ESP_MODE_RO);
}

static void fill(struct esp_candidate *c, int readable, uint8_t b) {
    c->readable = readable;
    memset(c->hash, b, sizeof c->hash);
}

static void test_pick(void **state) {
    (void)state;
    uint8_t want[32];
    memset(want, 0x5a, sizeof want);
    struct esp_candidate c[4];
    fill(&c[0], 1, 0x01);
    fill(&c[1], 1, 0x5a);
    fill(&c[2], 1, 0x02);
    fill(&c[3], 0, 0x5a);   /* unreadable: its bytes mean nothing */
    assert_int_equal(esp_pick(want, c, 4), 1);
    assert_int_equal(esp_pick(want, c, 1), -ENOENT);
    assert_int_equal(esp_pick(want, c, 0), -ENOENT);
    c[2].hash[31] = 0x5a;   /* one byte short of a match is no match */
    c[2].hash[0] = 0x5a;
    assert_int_equal(esp_pick(want, c, 4), 1);
    fill(&c[2], 1, 0x5a);   /* two identical volumes: neither */
    assert_int_equal(esp_pick(want, c, 4), -EEXIST);
    c[1].readable = 0;
    assert_int_equal(esp_pick(want, c, 4), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode),
        cmocka_unit_test(test_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

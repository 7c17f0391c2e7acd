/* lib/sha256.c against FIPS 180-4 / NIST CAVS vectors: the empty message,
 * "abc", the two-block 448-bit message, a million 'a's, and every split of
 * a message over update calls giving the same digest. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/string.h"
#include "lib/sha256.h"

static void hash_hex(const void *p, size_t n, char out[65]) {
    struct sha256 s;
    uint8_t d[32];
    sha256_init(&s);
    sha256_update(&s, p, n);
    sha256_final(&s, d);
    sha256_hex(d, out);
}

static void test_nist_vectors(void **st) {
    (void)st;
    char h[65];
    hash_hex("", 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hash_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_hex(m, strlen(m), h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m2 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hash_hex(m2, strlen(m2), h);
    assert_string_equal(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **st) {
    (void)st;
    struct sha256 s;
    uint8_t chunk[1000], d[32];
    char h[65];
    memset(chunk, 'a', sizeof chunk);
    sha256_init(&s);
    for (int i = 0; i < 1000; i++) sha256_update(&s, chunk, sizeof chunk);
    sha256_final(&s, d);
    sha256_hex(d, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_splits_agree(void **st) {
    (void)st;
    uint8_t msg[200], d1[32], d2[32];
    for (int i = 0; i < 200; i++) msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof msg; len += 13) {
        struct sha256 a;
        sha256_init(&a);
        sha256_update(&a, msg, len);
        sha256_final(&a, d1);
        for (size_t cut = 0; cut <= len; cut++) {
            struct sha256 b;
            sha256_init(&b);
            sha256_update(&b, msg, cut);
            sha256_update(&b, msg + cut, len - cut);
            sha256_final(&b, d2);
            assert_memory_equal(d1, d2, 32);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_splits_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

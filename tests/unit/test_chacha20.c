/* lib/chacha20.c against RFC 8439's vectors (2.3.2 block function, 2.4.2
 * encryption) and lib/csprng.c's properties: reseeding changes the output,
 * successive outputs differ, and the key left after a call is not the key
 * that produced that call's output (fast key erasure). */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/string.h"
#include "lib/chacha20.h"
#include "lib/csprng.h"

static void seq_key(uint8_t k[32]) {
    for (int i = 0; i < 32; i++) k[i] = (uint8_t)i;
}

static void test_rfc8439_block(void **st) {
    (void)st;
    static const uint8_t nonce[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
    static const uint8_t want[64] = {
        0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
        0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
        0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
        0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
    };
    uint8_t key[32], out[64];
    seq_key(key);
    chacha20_block(key, 1, nonce, out);
    assert_memory_equal(out, want, 64);
}

static void test_rfc8439_encrypt(void **st) {
    (void)st;
    static const uint8_t nonce[12] = { 0, 0, 0, 0, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
    static const char pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
                             "for the future, sunscreen would be it.";
    static const uint8_t want[114] = {
        0x6e, 0x2e, 0x35, 0x9a, 0x25, 0x68, 0xf9, 0x80, 0x41, 0xba, 0x07, 0x28, 0xdd, 0x0d, 0x69, 0x81,
        0xe9, 0x7e, 0x7a, 0xec, 0x1d, 0x43, 0x60, 0xc2, 0x0a, 0x27, 0xaf, 0xcc, 0xfd, 0x9f, 0xae, 0x0b,
        0xf9, 0x1b, 0x65, 0xc5, 0x52, 0x47, 0x33, 0xab, 0x8f, 0x59, 0x3d, 0xab, 0xcd, 0x62, 0xb3, 0x57,
        0x16, 0x39, 0xd6, 0x24, 0xe6, 0x51, 0x52, 0xab, 0x8f, 0x53, 0x0c, 0x35, 0x9f, 0x08, 0x61, 0xd8,
        0x07, 0xca, 0x0d, 0xbf, 0x50, 0x0d, 0x6a, 0x61, 0x56, 0xa3, 0x8e, 0x08, 0x8a, 0x22, 0xb6, 0x5e,
        0x52, 0xbc, 0x51, 0x4d, 0x16, 0xcc, 0xf8, 0x06, 0x81, 0x8c, 0xe9, 0x1a, 0xb7, 0x79, 0x37, 0x36,
        0x5a, 0xf9, 0x0b, 0xbf, 0x74, 0xa3, 0x5b, 0xe6, 0xb4, 0x0b, 0x8e, 0xed, 0xf2, 0x78, 0x5e, 0x42,
        0x87, 0x4d,
    };
    assert_int_equal(sizeof pt - 1, 114);
    uint8_t key[32], out[114], back[114];
    seq_key(key);
    chacha20_xor(key, 1, nonce, (const uint8_t *)pt, out, 114);
    assert_memory_equal(out, want, 114);
    chacha20_xor(key, 1, nonce, out, back, 114); /* decrypting is the same XOR */
    assert_memory_equal(back, pt, 114);
    memcpy(back, pt, 114);
    chacha20_xor(key, 1, nonce, back, back, 114); /* in place */
    assert_memory_equal(back, want, 114);
}

static void test_reseed_changes_output(void **st) {
    (void)st;
    struct csprng a, b;
    uint8_t oa[48], ob[48];
    csprng_init(&a);
    csprng_init(&b);
    csprng_reseed(&b, "x", 1);
    csprng_bytes(&a, oa, sizeof oa);
    csprng_bytes(&b, ob, sizeof ob);
    assert_memory_not_equal(oa, ob, sizeof oa);
    assert_int_equal(b.reseeds, 1);
    /* Same history, same output: the generator is deterministic in its input. */
    csprng_init(&a);
    csprng_reseed(&a, "x", 1);
    csprng_bytes(&a, oa, sizeof oa);
    assert_memory_equal(oa, ob, sizeof oa);
}

static void test_outputs_differ(void **st) {
    (void)st;
    enum { N = 256 };
    static uint8_t out[N][16];
    struct csprng r;
    csprng_init(&r);
    csprng_reseed(&r, "seed", 4);
    for (int i = 0; i < N; i++) csprng_bytes(&r, out[i], 16);
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) assert_memory_not_equal(out[i], out[j], 16);
    /* Long outputs span several blocks: consecutive 64-byte blocks differ. */
    static uint8_t big[64 * 5];
    csprng_bytes(&r, big, sizeof big);
    for (int i = 0; i + 64 < (int)sizeof big; i += 64) assert_memory_not_equal(big + i, big + i + 64, 64);
    csprng_bytes(&r, big, 0); /* no output, still rekeys */
}

static void test_key_erased(void **st) {
    (void)st;
    struct csprng r;
    csprng_init(&r);
    csprng_reseed(&r, "k", 1);
    uint8_t before[32], out[100], again[100];
    memcpy(before, r.key, 32);
    csprng_bytes(&r, out, sizeof out);
    /* The key changed ... */
    assert_memory_not_equal(before, r.key, 32);
    /* ... and the old key is exactly what regenerates the output, i.e. an
     * attacker who reads the new state lacks what the output came from. The
     * new key is block 0's first half, never part of the output. */
    struct csprng old;
    memcpy(old.key, before, 32);
    old.reseeds = 0;
    csprng_bytes(&old, again, sizeof again);
    assert_memory_equal(out, again, sizeof out);
    assert_memory_equal(old.key, r.key, 32);
    for (size_t i = 0; i + 32 <= sizeof out; i++) assert_memory_not_equal(out + i, r.key, 32);
    /* The same key must never produce output twice. */
    csprng_bytes(&r, again, sizeof again);
    assert_memory_not_equal(out, again, sizeof out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8439_block),
        cmocka_unit_test(test_rfc8439_encrypt),
        cmocka_unit_test(test_reseed_changes_output),
        cmocka_unit_test(test_outputs_differ),
        cmocka_unit_test(test_key_erased),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Host unit tests for lib/string.c (k_-renamed, see host_rename.h). */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <cmocka.h>

#include "lib/string.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int sign(int v) { return (v > 0) - (v < 0); }

/* ---- memset --------------------------------------------------------------- */

static void test_memset(void **state) {
    (void)state;
    unsigned char buf[40];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = 0xAA;

    assert_ptr_equal(k_memset(buf + 4, 0x5C, 17), buf + 4);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], (i >= 4 && i < 21) ? 0x5C : 0xAA);

    /* Only the low byte of c is used. */
    k_memset(buf, 0x1FF, 3);
    assert_int_equal(buf[0], 0xFF);
    assert_int_equal(buf[2], 0xFF);
    assert_int_equal(buf[3], 0xAA);
    k_memset(buf, -1, 1);
    assert_int_equal(buf[0], 0xFF);

    /* n == 0 touches nothing (NULL is fine then). */
    assert_ptr_equal(k_memset(buf + 30, 0, 0), buf + 30);
    assert_int_equal(buf[30], 0xAA);
    assert_null(k_memset(NULL, 0, 0));
}

/* ---- memcpy --------------------------------------------------------------- */

static void test_memcpy(void **state) {
    (void)state;
    unsigned char src[64], dst[80];
    for (size_t i = 0; i < sizeof src; i++) src[i] = (unsigned char)(i * 7 + 1);
    for (size_t n = 0; n <= sizeof src; n++) {
        for (size_t i = 0; i < sizeof dst; i++) dst[i] = 0xEE;
        assert_ptr_equal(k_memcpy(dst + 3, src, n), dst + 3);
        for (size_t i = 0; i < 3; i++) assert_int_equal(dst[i], 0xEE);
        for (size_t i = 0; i < n; i++) assert_int_equal(dst[3 + i], src[i]);
        for (size_t i = 3 + n; i < sizeof dst; i++) assert_int_equal(dst[i], 0xEE);
    }
    /* Bytes >= 0x80 and NULs are copied like any other. */
    const unsigned char odd[] = {0x00, 0x80, 0xFF, 0x00, 0x7F};
    k_memcpy(dst, odd, sizeof odd);
    assert_memory_equal(dst, odd, sizeof odd);
}

/* ---- memmove -------------------------------------------------------------- */

static void fill_seq(unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(i + 1);
}

/* Reference result computed through a separate copy. */
static void ref_move(unsigned char *b, size_t dst, size_t src, size_t n) {
    unsigned char tmp[64];
    for (size_t i = 0; i < n; i++) tmp[i] = b[src + i];
    for (size_t i = 0; i < n; i++) b[dst + i] = tmp[i];
}

static void test_memmove_overlap_forward(void **state) {
    (void)state;
    /* dst > src, overlapping: must copy from the end. */
    unsigned char b[16];
    fill_seq(b, sizeof b);
    assert_ptr_equal(k_memmove(b + 2, b, 10), b + 2);
    const unsigned char want[16] = {1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16};
    assert_memory_equal(b, want, sizeof b);
}

static void test_memmove_overlap_backward(void **state) {
    (void)state;
    /* dst < src, overlapping: must copy from the start. */
    unsigned char b[16];
    fill_seq(b, sizeof b);
    assert_ptr_equal(k_memmove(b, b + 3, 10), b);
    const unsigned char want[16] = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 11, 12, 13, 14, 15, 16};
    assert_memory_equal(b, want, sizeof b);
}

static void test_memmove_exhaustive(void **state) {
    (void)state;
    /* Every (dst, src, n) in a 24-byte window, overlapping or not. */
    enum { W = 24 };
    for (size_t n = 0; n <= W; n++)
        for (size_t s = 0; s + n <= W; s++)
            for (size_t d = 0; d + n <= W; d++) {
                unsigned char got[W], want[W];
                fill_seq(got, W);
                fill_seq(want, W);
                assert_ptr_equal(k_memmove(got + d, got + s, n), got + d);
                ref_move(want, d, s, n);
                assert_memory_equal(got, want, W);
            }
}

static void test_memmove_same_and_zero(void **state) {
    (void)state;
    unsigned char b[8];
    fill_seq(b, sizeof b);
    assert_ptr_equal(k_memmove(b, b, sizeof b), b);
    assert_ptr_equal(k_memmove(b + 1, b, 0), b + 1);
    const unsigned char want[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_memory_equal(b, want, sizeof b);
}

/* ---- memcmp --------------------------------------------------------------- */

static void test_memcmp(void **state) {
    (void)state;
    static const struct {
        const char *a, *b;
        size_t n;
        int want; /* sign */
    } t[] = {
        {"", "", 0, 0},
        {"abc", "abd", 0, 0},
        {"abc", "abd", 2, 0},
        {"abc", "abd", 3, -1},
        {"abd", "abc", 3, 1},
        {"abc", "abc", 4, 0},       /* includes the NUL */
        {"a\0x", "a\0y", 3, -1},    /* does not stop at NUL */
        {"\x80", "\x7f", 1, 1},     /* bytes compare unsigned */
        {"\x7f", "\x80", 1, -1},
        {"\xff", "\x01", 1, 1},
        {"zzzz", "zzza", 4, 1},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        int r = k_memcmp(t[i].a, t[i].b, t[i].n);
        if (sign(r) != t[i].want)
            fail_msg("memcmp case %zu: got %d, want sign %d", i, r, t[i].want);
    }
}

/* ---- strlen / strnlen ----------------------------------------------------- */

static void test_strlen(void **state) {
    (void)state;
    assert_int_equal(k_strlen(""), 0);
    assert_int_equal(k_strlen("a"), 1);
    assert_int_equal(k_strlen("hello, world"), 12);
    assert_int_equal(k_strlen("ab\0cd"), 2);
    assert_int_equal(k_strlen("\xff\x80"), 2);
    char big[1000];
    for (size_t i = 0; i < sizeof big - 1; i++) big[i] = 'x';
    big[sizeof big - 1] = '\0';
    assert_int_equal(k_strlen(big), sizeof big - 1);
}

static void test_strnlen(void **state) {
    (void)state;
    assert_int_equal(k_strnlen("", 0), 0);
    assert_int_equal(k_strnlen("", 5), 0);
    assert_int_equal(k_strnlen("hello", 0), 0);
    assert_int_equal(k_strnlen("hello", 3), 3);
    assert_int_equal(k_strnlen("hello", 5), 5);
    assert_int_equal(k_strnlen("hello", 6), 5);
    assert_int_equal(k_strnlen("hello", SIZE_MAX), 5);
    /* Must not read past max: an unterminated array (ASan would catch it). */
    char raw[4] = {'a', 'b', 'c', 'd'};
    assert_int_equal(k_strnlen(raw, sizeof raw), 4);
}

/* ---- strcmp / strncmp ----------------------------------------------------- */

static void test_strcmp(void **state) {
    (void)state;
    static const struct { const char *a, *b; int want; } t[] = {
        {"", "", 0},
        {"a", "", 1},
        {"", "a", -1},
        {"abc", "abc", 0},
        {"abc", "abd", -1},
        {"abd", "abc", 1},
        {"ab", "abc", -1},
        {"abc", "ab", 1},
        {"help", "hel", 1},
        {"\x80", "a", 1},           /* unsigned char comparison */
        {"a", "\xff", -1},
        {"A", "a", -1},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        int r = k_strcmp(t[i].a, t[i].b);
        if (sign(r) != t[i].want)
            fail_msg("strcmp(\"%s\", \"%s\") = %d, want sign %d", t[i].a, t[i].b, r, t[i].want);
    }
}

static void test_strncmp(void **state) {
    (void)state;
    static const struct { const char *a, *b; size_t n; int want; } t[] = {
        {"", "", 0, 0},
        {"abc", "xyz", 0, 0},
        {"abc", "abd", 2, 0},
        {"abc", "abd", 3, -1},
        {"abd", "abc", 3, 1},
        {"abc", "abc", 100, 0},     /* stops at the NUL */
        {"ab", "abc", 2, 0},
        {"ab", "abc", 3, -1},
        {"abc", "ab", 3, 1},
        {"\x80", "\x7f", 1, 1},
        {"a\0x", "a\0y", 3, 0},     /* nothing compared after the NUL */
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        int r = k_strncmp(t[i].a, t[i].b, t[i].n);
        if (sign(r) != t[i].want)
            fail_msg("strncmp case %zu: got %d, want sign %d", i, r, t[i].want);
    }
    /* Unterminated buffers are fine as long as n stays inside them. */
    char x[3] = {'a', 'b', 'c'}, y[3] = {'a', 'b', 'c'};
    assert_int_equal(k_strncmp(x, y, 3), 0);
}

/* ---- strchr --------------------------------------------------------------- */

static void test_strchr(void **state) {
    (void)state;
    const char *s = "hello world";
    assert_ptr_equal(k_strchr(s, 'h'), s);
    assert_ptr_equal(k_strchr(s, 'o'), s + 4);       /* first match */
    assert_ptr_equal(k_strchr(s, 'd'), s + 10);
    assert_null(k_strchr(s, 'z'));
    assert_ptr_equal(k_strchr(s, '\0'), s + 11);     /* the terminator is found */
    assert_null(k_strchr("", 'a'));
    const char *e = "";
    assert_ptr_equal(k_strchr(e, '\0'), e);
    /* c is converted to char: high bytes and int values > 255. */
    const char *h = "a\xe9z";
    assert_ptr_equal(k_strchr(h, 0xe9), h + 1);
    assert_ptr_equal(k_strchr(h, 0x100 + 'z'), h + 2);
    assert_ptr_equal(k_strchr(h, 0x100), h + 3);
}

/* ---- strlcpy -------------------------------------------------------------- */

static void test_strlcpy(void **state) {
    (void)state;
    static const struct {
        const char *src;
        size_t size;
        const char *want; /* destination contents */
    } t[] = {
        {"hello", 10, "hello"},
        {"hello", 6, "hello"},      /* exact fit */
        {"hello", 5, "hell"},       /* truncated */
        {"hello", 2, "h"},
        {"hello", 1, ""},
        {"", 1, ""},
        {"", 8, ""},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        char dst[16];
        for (size_t j = 0; j < sizeof dst; j++) dst[j] = '#';
        size_t r = k_strlcpy(dst, t[i].src, t[i].size);
        assert_int_equal(r, k_strlen(t[i].src));      /* always strlen(src) */
        assert_string_equal(dst, t[i].want);
        /* Nothing written past size. */
        for (size_t j = t[i].size; j < sizeof dst; j++)
            if (dst[j] != '#') fail_msg("case %zu: byte %zu written past size", i, j);
    }
    /* Truncation detection idiom: r >= size. */
    char small[4];
    assert_true(k_strlcpy(small, "abcdef", sizeof small) >= sizeof small);
    assert_string_equal(small, "abc");
    assert_true(k_strlcpy(small, "abc", sizeof small) < sizeof small);

    /* size 0: writes nothing at all, dst may be NULL. */
    char untouched[2] = {'X', 'Y'};
    assert_int_equal(k_strlcpy(untouched, "abc", 0), 3);
    assert_int_equal(untouched[0], 'X');
    assert_int_equal(k_strlcpy(NULL, "abcd", 0), 4);

    /* Exactly-sized destination: ASan's stack redzones check the bounds. */
    char d[3];
    assert_int_equal(k_strlcpy(d, "along_source", sizeof d), 12);
    assert_string_equal(d, "al");
}

/* ---- parse_u64 ------------------------------------------------------------ */

static void test_parse_u64_valid(void **state) {
    (void)state;
    static const struct { const char *s; unsigned long long want; } t[] = {
        {"0", 0},
        {"7", 7},
        {"42", 42},
        {"007", 7},
        {"1000000", 1000000},
        {"4294967295", 4294967295ULL},
        {"4294967296", 4294967296ULL},
        {"18446744073709551615", UINT64_MAX},              /* max, decimal */
        {"18446744073709551610", UINT64_MAX - 5},
        {"0x0", 0},
        {"0x1", 1},
        {"0xff", 255},
        {"0XFF", 255},
        {"0xAbCdEf", 0xabcdef},
        {"0x7fffffffffffffff", 0x7fffffffffffffffULL},
        {"0xffffffffffffffff", UINT64_MAX},                /* max, hex */
        {"0xFFFFFFFFFFFFFFFF", UINT64_MAX},
        {"0x00000000000000000000001", 1},                  /* leading zeros are no overflow */
        {"00000000000000000000000000042", 42},
        {"0xdeadbeefcafebabe", 0xdeadbeefcafebabeULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        unsigned long long v = 12345;
        int r = parse_u64(t[i].s, &v);
        if (r != 0) fail_msg("parse_u64(\"%s\") returned %d, want 0", t[i].s, r);
        if (v != t[i].want)
            fail_msg("parse_u64(\"%s\") = %llu, want %llu", t[i].s, v, t[i].want);
    }
}

static void test_parse_u64_invalid(void **state) {
    (void)state;
    static const char *const bad[] = {
        "",
        "0x",
        "0X",
        "x",
        "x10",
        "-1",
        "+1",
        " 1",
        "1 ",
        "12a",                      /* hex digit without 0x */
        "a",
        "0xg",
        "0x1g",
        "0x 1",
        "1.5",
        "0x0x1",
        "0b101",
        "18446744073709551616",     /* max + 1 */
        "18446744073709551620",
        "99999999999999999999",
        "184467440737095516150",    /* max * 10 */
        "0x10000000000000000",      /* max + 1, hex */
        "0xfffffffffffffffff",
        "0x1ffffffffffffffff",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        unsigned long long v = 0x5a5a5a5aULL;
        int r = parse_u64(bad[i], &v);
        if (r != -1) fail_msg("parse_u64(\"%s\") returned %d (value %llu), want -1", bad[i], r, v);
        if (v != 0x5a5a5a5aULL) fail_msg("parse_u64(\"%s\") wrote *out on failure", bad[i]);
    }
    unsigned long long v = 99;
    assert_int_equal(parse_u64(NULL, &v), -1);
    assert_int_equal(v, 99);
}

/* Every value near powers of two and ten round-trips through its text. */
static void test_parse_u64_roundtrip(void **state) {
    (void)state;
    char buf[32];
    for (int bit = 0; bit < 64; bit++) {
        unsigned long long base = 1ULL << bit;
        for (int d = -2; d <= 2; d++) {
            unsigned long long x = base + (unsigned long long)(long long)d;
            unsigned long long v;
            snprintf(buf, sizeof buf, "%llu", x);
            assert_int_equal(parse_u64(buf, &v), 0);
            assert_true(v == x);
            snprintf(buf, sizeof buf, "0x%llx", x);
            assert_int_equal(parse_u64(buf, &v), 0);
            assert_true(v == x);
        }
    }
}

/* ---- scan_nonzero64 ---------------------------------------------------------- */

/* Every start index and every single set word, against a plain loop. */
static void test_scan_nonzero64(void **state) {
    (void)state;
    uint64_t a[37];
    for (size_t set = 0; set <= 37; set++) {
        memset(a, 0, sizeof a);
        if (set < 37) a[set] = 1ULL << (set % 64);
        for (size_t n = 0; n <= 37; n++)
            for (size_t i = 0; i <= n; i++) {
                size_t want = i;
                while (want < n && !a[want]) want++;
                assert_int_equal(scan_nonzero64(a, i, n), want);
            }
    }
    for (size_t k = 0; k < 37; k++) a[k] = k % 3 == 0 ? 0 : k;   /* dense: every hit in order */
    size_t seen = 0;
    for (size_t i = scan_nonzero64(a, 0, 37); i < 37; i = scan_nonzero64(a, i + 1, 37)) {
        assert_true(a[i] != 0);
        seen++;
    }
    assert_int_equal(seen, 24);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memset),
        cmocka_unit_test(test_memcpy),
        cmocka_unit_test(test_memmove_overlap_forward),
        cmocka_unit_test(test_memmove_overlap_backward),
        cmocka_unit_test(test_memmove_exhaustive),
        cmocka_unit_test(test_memmove_same_and_zero),
        cmocka_unit_test(test_memcmp),
        cmocka_unit_test(test_strlen),
        cmocka_unit_test(test_strnlen),
        cmocka_unit_test(test_strcmp),
        cmocka_unit_test(test_strncmp),
        cmocka_unit_test(test_strchr),
        cmocka_unit_test(test_strlcpy),
        cmocka_unit_test(test_parse_u64_valid),
        cmocka_unit_test(test_parse_u64_invalid),
        cmocka_unit_test(test_parse_u64_roundtrip),
        cmocka_unit_test(test_scan_nonzero64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Host unit tests for lib/printf.c.
 *
 * Wherever the kernel's format language coincides with C99, the result and the
 * return value are compared with glibc's vsnprintf, at every buffer size from
 * 0 to one past the full length (truncation, NUL termination, no write past
 * the end). The rest (%p of NULL, "(null)", unknown conversions, a trailing
 * '%') is checked against the behaviour lib/printf.h documents.
 *
 * Bugs these tests found are fixed and kept as regression tests.
 */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/printf.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define OUT_MAX 512
#define CANARY '\xA5'

/* kvsnprintf through a wrapper without the format attribute, so formats that
 * GCC's -Wformat rejects (unknown conversions, a trailing '%') can be tested. */
static int kfmt(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* Formats fmt with both glibc and kvsnprintf, at every size 0..len+1, and
 * fails on any difference in text or return value, or a byte written at or
 * past size. */
static void check_libc_v(const char *where, const char *fmt, va_list ap) {
    char want[OUT_MAX], got[OUT_MAX + 8];
    va_list a1;
    va_copy(a1, ap);
    int wn = vsnprintf(want, sizeof want, fmt, a1);
    va_end(a1);
    assert_true(wn >= 0 && wn < OUT_MAX);

    for (size_t size = 0; size <= (size_t)wn + 1; size++) {
        memset(got, CANARY, sizeof got);
        va_list a2;
        va_copy(a2, ap);
        int gn = kvsnprintf(size ? got : NULL, size, fmt, a2);
        va_end(a2);
        if (gn != wn)
            fail_msg("%s: fmt \"%s\" size %zu: returned %d, glibc %d", where, fmt, size, gn, wn);
        if (size == 0) continue;
        size_t keep = (size_t)wn < size - 1 ? (size_t)wn : size - 1;
        if (memcmp(got, want, keep) != 0 || got[keep] != '\0')
            fail_msg("%s: fmt \"%s\" size %zu: got \"%.*s\", glibc \"%.*s\"", where, fmt, size,
                     (int)keep, got, (int)keep, want);
        for (size_t i = size; i < sizeof got; i++)
            if (got[i] != CANARY)
                fail_msg("%s: fmt \"%s\" size %zu: byte %zu written past the buffer", where, fmt,
                         size, i);
    }
}

static void check_libc_at(const char *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void check_libc_at(const char *where, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    check_libc_v(where, fmt, ap);
    va_end(ap);
}

#define STR2(x) #x
#define STR(x) STR2(x)
#define CHECK_LIBC(...) check_libc_at(__FILE__ ":" STR(__LINE__), __VA_ARGS__)

/* Expects kfmt(fmt, ...) == want (with return value strlen(want)). */
#define CHECK_K(want, ...)                                                     \
    do {                                                                       \
        char b_[OUT_MAX];                                                      \
        memset(b_, CANARY, sizeof b_);                                         \
        int n_ = kfmt(b_, sizeof b_, __VA_ARGS__);                             \
        assert_string_equal(b_, want);                                         \
        assert_int_equal(n_, (int)strlen(want));                               \
    } while (0)

/* ---- against glibc --------------------------------------------------------- */

static const char *const int_fmts[] = {
    "%d", "%i", "%1d", "%5d", "%-5d", "%05d", "%+d", "% d", "%+5d", "%-+6d", "% 6d", "%+06d",
    "% 06d", "%-06d", "%.3d", "%8.3d", "%-8.3d", "%08.3d", "%.0d", "%5.0d", "%+.0d", "%.12d",
    "%+.12d", "%20.15d", "%-20.15d", "[%d]", "x%dy%%",
};
static const int int_vals[] = {
    0, 1, -1, 7, 42, -42, 99, 100, -100, 12345, -12345, 1000000, INT_MAX, INT_MIN, INT_MIN + 1,
};

static void test_libc_signed_int(void **state) {
    (void)state;
    for (size_t f = 0; f < ARRAY_LEN(int_fmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(int_vals); v++) {
            char where[64];
            snprintf(where, sizeof where, "int value %d", int_vals[v]);
            check_libc_at(where, int_fmts[f], int_vals[v]);
        }
}

/* '#' is left out here: see test_alt_flag. */
static const char *const uint_fmts[] = {
    "%u", "%x", "%X", "%o", "%1u", "%5u", "%-5u", "%05u", "%.3u", "%8.3u", "%.0u", "%5.0u",
    "%12x", "%-12x", "%012x", "%.6x", "%10.6x", "%-10.6x", "%08X", "%.0x", "%.0X", "%.0o",
    "%11o", "%-11o", "%011o", "%.14o",
};
static const unsigned uint_vals[] = {
    0, 1, 7, 8, 9, 10, 15, 16, 255, 256, 4095, 0x7fffffff, 0x80000000u, 0xdeadbeef, UINT_MAX,
};

static void test_libc_unsigned_int(void **state) {
    (void)state;
    for (size_t f = 0; f < ARRAY_LEN(uint_fmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(uint_vals); v++) {
            char where[64];
            snprintf(where, sizeof where, "unsigned value %u", uint_vals[v]);
            check_libc_at(where, uint_fmts[f], uint_vals[v]);
        }
}

static void test_libc_alt_hex_nonzero(void **state) {
    (void)state;
    static const char *const fmts[] = {"%#x", "%#X", "%#10x", "%#-10x", "%#010x", "%#.6x",
                                       "%#12.6X"};
    static const unsigned vals[] = {1, 15, 255, 0xabcdef, 0xdeadbeef, UINT_MAX};
    for (size_t f = 0; f < ARRAY_LEN(fmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(vals); v++) check_libc_at("alt hex", fmts[f], vals[v]);
    CHECK_LIBC("%#lx", 0x123456789abcdefUL);
    CHECK_LIBC("%#llX", 0xfedcba9876543210ULL);
}

static void test_libc_long_long(void **state) {
    (void)state;
    static const char *const sfmts[] = {"%lld", "%ld", "%25lld", "%-25lld", "%025lld", "%+lld",
                                        "% lld", "%.22lld", "%+.22ld", "%lli", "%li"};
    static const long long svals[] = {0, 1, -1, 4294967296LL, -4294967296LL, INT64_MAX, INT64_MIN,
                                      INT64_MIN + 1, (long long)INT_MIN - 1};
    for (size_t f = 0; f < ARRAY_LEN(sfmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(svals); v++) check_libc_at("long long", sfmts[f], svals[v]);

    static const char *const ufmts[] = {"%llu", "%lu", "%llx", "%lx", "%llX", "%llo", "%lo",
                                        "%25llu", "%-25llx", "%030llo", "%.20llx"};
    static const unsigned long long uvals[] = {0, 1, 0xffffffffULL, 0x100000000ULL,
                                               0x8000000000000000ULL, UINT64_MAX,
                                               0x0123456789abcdefULL};
    for (size_t f = 0; f < ARRAY_LEN(ufmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(uvals); v++)
            check_libc_at("unsigned long long", ufmts[f], uvals[v]);

    /* The exact strings, independently of glibc. */
    CHECK_K("-9223372036854775808", "%lld", (long long)INT64_MIN);
    CHECK_K("-9223372036854775808", "%ld", (long)INT64_MIN);
    CHECK_K("9223372036854775807", "%lld", (long long)INT64_MAX);
    CHECK_K("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
    CHECK_K("1777777777777777777777", "%llo", (unsigned long long)UINT64_MAX);
    CHECK_K("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
    CHECK_K("-2147483648", "%d", INT_MIN);
}

static void test_libc_short_char_size(void **state) {
    (void)state;
    static const char *const fmts[] = {"%hd", "%hhd", "%hu", "%hhu", "%hx", "%hhx", "%hX",
                                       "%hho", "%5hd", "%-5hhd", "%05hhx", "%hi", "%hhi"};
    static const int vals[] = {0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768,
                               -32768, -32769, 65535, 65536 + 5, INT_MAX, INT_MIN};
    for (size_t f = 0; f < ARRAY_LEN(fmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(vals); v++) check_libc_at("short/char", fmts[f], vals[v]);

    static const char *const zfmts[] = {"%zu", "%zx", "%zX", "%zo", "%20zu", "%-20zx"};
    static const size_t zvals[] = {0, 1, 4096, SIZE_MAX, SIZE_MAX / 2, (size_t)1 << 40};
    for (size_t f = 0; f < ARRAY_LEN(zfmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(zvals); v++) check_libc_at("size_t", zfmts[f], zvals[v]);
    static const ssize_t zdvals[] = {0, 1, -1, SSIZE_MAX, -SSIZE_MAX - 1};
    for (size_t v = 0; v < ARRAY_LEN(zdvals); v++) {
        check_libc_at("ssize_t", "%zd", zdvals[v]);
        check_libc_at("ssize_t", "%+22zd", zdvals[v]);
    }
}

static void test_libc_strings(void **state) {
    (void)state;
    static const char *const fmts[] = {"%s", "%1s", "%10s", "%-10s", "%.0s", "%.1s", "%.3s",
                                       "%.20s", "%10.3s", "%-10.3s", "%2.8s", "[%s]", "%s%s"};
    static const char *const vals[] = {"", "a", "abc", "hello", "hello, world!", "\x7f\x80\xff"};
    for (size_t f = 0; f < ARRAY_LEN(fmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(vals); v++)
            check_libc_at("string", fmts[f], vals[v], vals[v]);

    /* Precision bounds the read: an unterminated array is fine. */
    char raw[3] = {'x', 'y', 'z'};
    CHECK_LIBC("%.3s", raw);
    CHECK_LIBC("%.2s|", raw);
}

static void test_libc_chars(void **state) {
    (void)state;
    static const char *const fmts[] = {"%c", "%1c", "%4c", "%-4c", "[%c]", "%c%c"};
    static const int vals[] = {'a', ' ', '~', '%', 0x7f, 0xe9, -1, 0};
    for (size_t f = 0; f < ARRAY_LEN(fmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(vals); v++)
            check_libc_at("char", fmts[f], vals[v], vals[v]);
}

static void test_libc_star(void **state) {
    (void)state;
    static const int widths[] = {0, 1, 5, 12, -1, -5, -12};
    static const int precs[] = {-1, -7, 0, 1, 3, 10};
    for (size_t w = 0; w < ARRAY_LEN(widths); w++) {
        CHECK_LIBC("%*d|", widths[w], -42);
        CHECK_LIBC("%*s|", widths[w], "abc");
        CHECK_LIBC("%-*x|", widths[w], 0xbeefu);
        CHECK_LIBC("%0*d|", widths[w], 17);
        for (size_t p = 0; p < ARRAY_LEN(precs); p++) {
            CHECK_LIBC("%*.*d|", widths[w], precs[p], 123);
            CHECK_LIBC("%*.*s|", widths[w], precs[p], "abcdef");
            CHECK_LIBC("%.*u|", precs[p], 0u);
        }
    }
}

static void test_libc_mixed_and_percent(void **state) {
    (void)state;
    const char *empty = "";
    check_libc_at("empty format", empty, 0);
    CHECK_LIBC("plain text, no conversions");
    CHECK_LIBC("%%");
    CHECK_LIBC("100%% sure, %d%%", 99);
    CHECK_LIBC("%s=%d (0x%08x) [%-6s] %c%c %5.2d%%", "answer", 42, 42u, "ok", 'o', 'k', 7);
    CHECK_LIBC("%d %i %u %x %X %o %s %c", -1, 2, 3u, 0xabu, 0xcdu, 8u, "s", 'c');
    CHECK_LIBC("%lu bytes at %#llx, %zu pages", 4096UL, 0xffff800000000000ULL, (size_t)3);
    /* An arguments mix that needs every va_arg to use the right type. */
    CHECK_LIBC("%hhd %hd %d %ld %lld %zu %s %c %u", (signed char)-3, (short)-300, -70000,
               -5000000000L, (long long)INT64_MIN, (size_t)77, "end", 'Z', 1u);
}

static void test_libc_pointer(void **state) {
    (void)state;
    int x;
    static const char *const fmts[] = {"%p", "%20p", "%-20p", "[%p]"};
    void *const vals[] = {&x, (void *)1, (void *)0xdeadbeef, (void *)UINTPTR_MAX,
                          (void *)0xffff800000001000ULL};
    for (size_t f = 0; f < ARRAY_LEN(fmts); f++)
        for (size_t v = 0; v < ARRAY_LEN(vals); v++) check_libc_at("pointer", fmts[f], vals[v]);
}

/* ---- kernel-specific behaviour ------------------------------------------- */

static void test_pointer_null(void **state) {
    (void)state;
    /* glibc prints "(nil)"; the kernel prints the value like any other. */
    CHECK_K("0x0", "%p", (void *)NULL);
    CHECK_K("  0x0", "%5p", (void *)NULL);
    CHECK_K("0x0  |", "%-5p|", (void *)NULL);
    CHECK_K("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
    CHECK_K("0x1000", "%p", (void *)0x1000);
}

static void test_null_string(void **state) {
    (void)state;
    CHECK_K("(null)", "%s", (const char *)NULL);
    CHECK_K("[    (null)]", "[%10s]", (const char *)NULL);
    CHECK_K("[(null)    ]", "[%-10s]", (const char *)NULL);
    CHECK_K("(null) 5", "%s %d", (const char *)NULL, 5);
}

static void test_unknown_conversion(void **state) {
    (void)state;
    /* Printed literally, and no argument is consumed. */
    CHECK_K("%q", "%q");
    CHECK_K("a%qb", "a%qb");
    CHECK_K("%q7", "%q%d", 7);
    CHECK_K("%y|x|%w", "%y|%s|%w", "x");
    /* %n must never write through an argument: it is not supported. */
    int victim = 1234;
    CHECK_K("[%n]", "[%n]", &victim);
    assert_int_equal(victim, 1234);
    CHECK_K("%n5", "%n%d", 5);
    /* Floating point is not supported either and eats no argument. */
    CHECK_K("%f 3", "%f %d", 3);
}

static void test_trailing_percent(void **state) {
    (void)state;
    static const struct { const char *fmt, *want; } t[] = {
        {"%", ""},        {"abc%", "abc"},     {"abc%-", "abc"},  {"abc%05", "abc"},
        {"abc%+ #", "abc"}, {"abc%.", "abc"},  {"abc%.3", "abc"}, {"abc%l", "abc"},
        {"abc%ll", "abc"}, {"abc%h", "abc"},   {"abc%hh", "abc"}, {"abc%z", "abc"},
        {"%%%", "%"},     {"%d%", "1"},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        char buf[32];
        memset(buf, CANARY, sizeof buf);
        int n = kfmt(buf, sizeof buf, t[i].fmt, 1);
        if (strcmp(buf, t[i].want) != 0 || n != (int)strlen(t[i].want))
            fail_msg("fmt \"%s\": got \"%s\" (%d), want \"%s\"", t[i].fmt, buf, n, t[i].want);
    }
}

static void test_truncation(void **state) {
    (void)state;
    char buf[16];

    /* size 0: nothing written (buf may be NULL), full length returned. */
    memset(buf, CANARY, sizeof buf);
    assert_int_equal(ksnprintf(buf, 0, "hello %d", 12345), 11);
    for (size_t i = 0; i < sizeof buf; i++) assert_int_equal(buf[i], CANARY);
    assert_int_equal(ksnprintf(NULL, 0, "%s-%s", "abc", "def"), 7);

    /* size 1: just the NUL. */
    memset(buf, CANARY, sizeof buf);
    assert_int_equal(ksnprintf(buf, 1, "hello"), 5);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], CANARY);

    /* Cut in the middle of a conversion. */
    memset(buf, CANARY, sizeof buf);
    assert_int_equal(ksnprintf(buf, 6, "ab%08dyz", 42), 12);
    assert_string_equal(buf, "ab000");
    assert_int_equal(buf[6], CANARY);

    /* Exactly fitting and one short. */
    assert_int_equal(ksnprintf(buf, 6, "%s", "hello"), 5);
    assert_string_equal(buf, "hello");
    assert_int_equal(ksnprintf(buf, 5, "%s", "hello"), 5);
    assert_string_equal(buf, "hell");

    /* Output much longer than the buffer: the count keeps going. */
    assert_int_equal(ksnprintf(buf, sizeof buf, "%300d|%-200s", 1, "x"), 501);
    assert_int_equal(strlen(buf), sizeof buf - 1);

    /* Exactly-sized heap buffer: ASan checks nothing is written past it. */
    char *h = malloc(4);
    assert_non_null(h);
    int n = ksnprintf(h, 4, "%llu", (unsigned long long)UINT64_MAX);
    int ok = n == 20 && strcmp(h, "184") == 0;
    free(h);
    assert_true(ok);
}

struct sink { char buf[OUT_MAX]; size_t n; };

static void sink_emit(char c, void *ctx) {
    struct sink *s = ctx;
    assert_true(s->n < sizeof s->buf);
    s->buf[s->n++] = c;
}

static int kcfmt(struct sink *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = kvcprintf(sink_emit, s, fmt, ap);
    va_end(ap);
    return n;
}

static void test_streaming(void **state) {
    (void)state;
    struct sink s = {.n = 0};
    int n = kcfmt(&s, "a%cb%5d|%-3s|%%", 0, -12, "x");
    static const char want[] = "a\0b  -12|x  |%";
    assert_int_equal(n, (int)sizeof want - 1);
    assert_int_equal(s.n, sizeof want - 1);
    assert_memory_equal(s.buf, want, sizeof want - 1);

    /* Every produced character goes to emit, nothing more. */
    s.n = 0;
    assert_int_equal(kcfmt(&s, ""), 0);
    assert_int_equal(s.n, 0);
    s.n = 0;
    assert_int_equal(kcfmt(&s, "%400d", 1), 400);
    assert_int_equal(s.n, 400);
    assert_int_equal(s.buf[399], '1');
    assert_int_equal(s.buf[0], ' ');

    /* kvsnprintf counts a NUL from %c like any other character. */
    char buf[8];
    assert_int_equal(ksnprintf(buf, sizeof buf, "%c%c", 'x', 0), 2);
    assert_int_equal(buf[0], 'x');
    assert_int_equal(buf[1], '\0');
}

static void test_exact_strings(void **state) {
    (void)state;
    /* A few fixed expectations so the suite does not depend on glibc alone. */
    CHECK_K("42", "%d", 42);
    CHECK_K("-0042", "%05d", -42);
    CHECK_K("-42  |", "%-05d|", -42);
    CHECK_K("  -042", "%6.3d", -42);
    CHECK_K("+7", "%+d", 7);
    CHECK_K(" 7", "% d", 7);
    CHECK_K("+7", "%+ d", 7);
    CHECK_K("", "%.0d", 0);
    CHECK_K("0x00ff", "%#06x", 0xffu);
    CHECK_K("00FF", "%04X", 0xffu);
    CHECK_K("17", "%o", 15u);
    CHECK_K("ab   |", "%-5.2s|", "abcdef");
    CHECK_K("-1 255 65535", "%hhd %hhu %hu", 255, 255, -1);
    CHECK_K("   12", "%*d", 5, 12);
    CHECK_K("12   |", "%*d|", -5, 12);
    CHECK_K("00012", "%.*d", 5, 12);
    CHECK_K("12", "%.*d", -5, 12);
}

/* ---- regressions: bugs found by these tests and fixed ------------------------ */

/* Was a bug: '+' and ' ' are meant for signed conversions only (C11 7.21.6.1);
 * format_uint() tests "base == 10", which %u also is, so "%+u" prints "+5"
 * where C (and glibc) print "5". */
static void test_plus_space_on_unsigned(void **state) {
    (void)state;
    CHECK_K("5", "%+u", 5u);
    CHECK_K("5", "% u", 5u);
}

/* Was a bug: "%*d" with width INT_MIN computes -INT_MIN: signed overflow (UB;
 * UBSan aborts). Run in a child so the rest of the suite survives. */
static void test_star_width_int_min(void **state) {
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char buf[8];
        kfmt(buf, sizeof buf, "%*d", INT_MIN, 1);
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("kvsnprintf(\"%%*d\", INT_MIN, 1) crashed or was stopped by a sanitizer");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libc_signed_int),
        cmocka_unit_test(test_libc_unsigned_int),
        cmocka_unit_test(test_libc_alt_hex_nonzero),
        cmocka_unit_test(test_libc_long_long),
        cmocka_unit_test(test_libc_short_char_size),
        cmocka_unit_test(test_libc_strings),
        cmocka_unit_test(test_libc_chars),
        cmocka_unit_test(test_libc_star),
        cmocka_unit_test(test_libc_mixed_and_percent),
        cmocka_unit_test(test_libc_pointer),
        cmocka_unit_test(test_pointer_null),
        cmocka_unit_test(test_null_string),
        cmocka_unit_test(test_unknown_conversion),
        cmocka_unit_test(test_trailing_percent),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_exact_strings),
        cmocka_unit_test(test_plus_space_on_unsigned),
        cmocka_unit_test(test_star_width_int_min),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

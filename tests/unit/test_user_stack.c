/* The initial user stack: layout, alignment, limits (kernel/user_stack.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/user_stack.h"
#include "secos/errno.h"
#include "secos/linux_syscall.h"

#define TOP 0x7fff00000000ULL

static const uint8_t rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* Reads the user word at va from the buffer standing for [TOP - size, TOP). */
static uint64_t word(const uint8_t *buf, uint64_t size, uint64_t va) {
    assert_true(va >= TOP - size && va + 8 <= TOP);
    uint64_t v;
    memcpy(&v, buf + (va - (TOP - size)), 8);
    return v;
}

static const char *str(const uint8_t *buf, uint64_t size, uint64_t va) {
    assert_true(va >= TOP - size && va < TOP);
    return (const char *)buf + (va - (TOP - size));
}

static void test_layout(void **state) {
    (void)state;
    char *argv[] = { "prog", "-x", "arg two" };
    char *envp[] = { "PATH=/bin", "HOME=/" };
    uint64_t aux[] = { AT_PAGESZ, 4096, AT_PHNUM, 4 };
    struct ustack_args a = { 3, 2, argv, envp, "/bin/prog", rnd, aux, 2 };
    uint64_t size = ustack_size(&a);
    assert_true(size > 0 && size % 16 == 0);
    uint8_t *buf = malloc(size + 64);
    uint64_t sp = 0;
    assert_int_equal(ustack_build(&a, buf + 64, size, TOP, &sp), 0);
    uint8_t *b = buf + 64;
    assert_int_equal(sp % 16, 0);
    assert_int_equal(sp, TOP - size);
    assert_int_equal(word(b, size, sp), 3);
    for (int i = 0; i < 3; i++) assert_string_equal(str(b, size, word(b, size, sp + 8 + 8 * i)), argv[i]);
    assert_int_equal(word(b, size, sp + 32), 0);
    for (int i = 0; i < 2; i++) assert_string_equal(str(b, size, word(b, size, sp + 40 + 8 * i)), envp[i]);
    assert_int_equal(word(b, size, sp + 56), 0);
    uint64_t at = sp + 64;
    int seen_random = 0, seen_execfn = 0, seen_pagesz = 0;
    for (int n = 0; n < 10; n++, at += 16) {
        uint64_t k = word(b, size, at), v = word(b, size, at + 8);
        if (k == AT_NULL) break;
        if (k == AT_RANDOM) { seen_random = 1; assert_memory_equal(str(b, size, v), rnd, 16); }
        if (k == AT_EXECFN) { seen_execfn = 1; assert_string_equal(str(b, size, v), "/bin/prog"); }
        if (k == AT_PAGESZ) { seen_pagesz = 1; assert_int_equal(v, 4096); }
    }
    assert_int_equal(word(b, size, at), AT_NULL);
    assert_true(seen_random && seen_execfn && seen_pagesz);
    /* argv[0] lies below argv[1]: the strings are in order. */
    assert_true(word(b, size, sp + 8) < word(b, size, sp + 16));
    free(buf);
}

static void test_empty_and_no_execfn(void **state) {
    (void)state;
    struct ustack_args a = { 0, 0, NULL, NULL, NULL, rnd, NULL, 0 };
    uint64_t size = ustack_size(&a);
    uint8_t buf[512];
    assert_true(size > 0 && size <= sizeof buf);
    uint64_t sp;
    assert_int_equal(ustack_build(&a, buf, size, TOP, &sp), 0);
    assert_int_equal(word(buf, size, sp), 0);
    assert_int_equal(word(buf, size, sp + 8), 0);   /* argv NULL */
    assert_int_equal(word(buf, size, sp + 16), 0);  /* envp NULL */
    assert_int_equal(word(buf, size, sp + 24), AT_RANDOM);
    assert_int_equal(word(buf, size, sp + 40), AT_IGNORE);
}

/* The whole buffer is the stack's pages: what lies below sp (the rest of
 * the lowest page) is zero, never what the buffer held before. */
static void test_below_sp_is_zero(void **state) {
    (void)state;
    char *argv[] = { "prog" };
    struct ustack_args a = { 1, 0, argv, NULL, "/bin/prog", rnd, NULL, 0 };
    uint64_t need = ustack_size(&a), size = 4096;
    uint8_t *buf = malloc(size);
    memset(buf, 0xA5, size);               /* stale heap bytes */
    uint64_t sp;
    assert_int_equal(ustack_build(&a, buf, size, TOP, &sp), 0);
    assert_int_equal(sp, TOP - need);
    for (uint64_t i = 0; i < size - need; i++) assert_int_equal(buf[i], 0);
    free(buf);
}

static void test_limits(void **state) {
    (void)state;
    /* 128 KiB of strings exactly fits; one byte more does not. */
    uint64_t n = USTACK_STRINGS_MAX;
    char *big = malloc(n);
    memset(big, 'a', n - 1);
    big[n - 1] = 0;
    char *argv[] = { big };
    struct ustack_args a = { 1, 0, argv, NULL, NULL, rnd, NULL, 0 };
    uint64_t size = ustack_size(&a);
    assert_true(size > n);
    uint8_t *buf = malloc(size);
    uint64_t sp;
    assert_int_equal(ustack_build(&a, buf, size, TOP, &sp), 0);
    assert_int_equal(ustack_build(&a, buf, size - 16, TOP, &sp), -E2BIG); /* buffer too small */
    big = realloc(big, n + 1);
    memset(big, 'a', n);
    big[n] = 0;
    argv[0] = big;
    assert_int_equal(ustack_size(&a), 0);
    assert_int_equal(ustack_build(&a, buf, size, TOP, &sp), -E2BIG);
    /* Too many pointers. */
    static char *many[USTACK_VECTOR_MAX + 1];
    for (unsigned i = 0; i <= USTACK_VECTOR_MAX; i++) many[i] = "";
    struct ustack_args m = { USTACK_VECTOR_MAX, 1, many, many, NULL, rnd, NULL, 0 };
    assert_int_equal(ustack_size(&m), 0);
    m.envc = 0;
    assert_true(ustack_size(&m) > 0);
    struct ustack_args neg = { -1, 0, NULL, NULL, NULL, rnd, NULL, 0 };
    assert_int_equal(ustack_size(&neg), 0);
    free(big);
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_empty_and_no_execfn),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_below_sp_is_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

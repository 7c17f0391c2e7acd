/* Shared by the host fuzzers tests/fuzz/fuzz_*.c (see tests/fuzz/fuzz.mk).
 * Each harness is compiled like a unit test (-include tests/unit/host_rename.h
 * -DSECOS_HOST_TEST, lib/string.c linked in) plus libFuzzer, ASan and UBSan. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "lib/string.h"

/* A broken invariant is a crash: libFuzzer saves the input and the stack. */
#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                               \
        }                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reading every byte of a range the parser handed out proves (to ASan) that
 * it lies inside the input. */
static volatile uint8_t fuzz_sink;
static inline void fuzz_touch(const uint8_t *p, uint64_t n)
{
    uint8_t x = 0;
    for (uint64_t i = 0; i < n; i++)
        x ^= p[i];
    fuzz_sink = x;
}

/* data[0..n) as a heap string of exactly n + 1 bytes (cut at the first NUL,
 * if any), so ASan catches a read past its end. */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    CHECK(s);
    memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* 1 if s is "comp/comp/..." with at least one component, no empty, "." or
 * ".." component, none longer than max, and no control byte. */
static inline int fuzz_clean_components(const char *s, size_t max)
{
    for (;;) {
        size_t n = 0;
        while (s[n] && s[n] != '/') {
            unsigned char c = (unsigned char)s[n];
            if (c < 0x20 || c == 0x7f)
                return 0;
            n++;
        }
        if (n == 0 || n > max || (n == 1 && s[0] == '.') ||
            (n == 2 && s[0] == '.' && s[1] == '.'))
            return 0;
        if (!s[n])
            return 1;
        s += n + 1;
    }
}

#endif

/* The check helpers the process-model test programs share: one line per
 * check ("ok <what>" or "FAIL <what>: ..."), then "<prog>: N failed"; the
 * exit status is the number of failures (capped). stdout is unbuffered so
 * that a fork never duplicates pending output. */
#ifndef T_CHECK_H
#define T_CHECK_H
#include <stdio.h>
#include <stdlib.h>

static int failures;

#define CHECK(what, cond, ...) do {                                                  \
    if (cond) printf("ok %s\n", what);                                               \
    else { failures++; printf("FAIL %s: ", what); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static inline void check_init(void) { setvbuf(stdout, 0, _IONBF, 0); }

static inline int check_done(const char *prog) {
    printf("%s: %d failed\n", prog, failures);
    return failures > 100 ? 100 : failures;
}

#endif

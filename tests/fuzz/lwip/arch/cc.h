/* lwIP's compiler and platform glue for the fuzz target (glibc, x86-64):
 * a failed lwIP assertion is a crash libFuzzer records. */
#ifndef FUZZ_LWIP_ARCH_CC_H
#define FUZZ_LWIP_ARCH_CC_H
#include <stdio.h>
#include <stdlib.h>

#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { \
        fprintf(stderr, "fuzz_lwip: lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__); \
        abort(); \
    } while (0)

#endif

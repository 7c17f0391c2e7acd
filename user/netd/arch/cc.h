/* lwIP's compiler and platform glue for netd (musl, x86-64). */
#ifndef NETD_ARCH_CC_H
#define NETD_ARCH_CC_H
#include <stdio.h>
#include <stdlib.h>

#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { \
        fprintf(stderr, "netd: lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__); \
        abort(); \
    } while (0)

#endif

/* musl_limited: a musl program that keeps SECoS's limits under the Linux ABI.
 * Its SECOS manifest sets MANIFEST_FLAG_ABI_LINUX, so it runs with the Linux
 * personality, and max_mem = 4 MiB, so touching 8 MiB must get it killed
 * ("memory limit reached") after it printed how far it got.
 * Usage: musl_limited [MiB to touch, default 8] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include "manifest.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS | MANIFEST_FLAG_ABI_LINUX, 4 << 20);

int main(int argc, char **argv) {
    struct utsname u;
    /* Linux's uname is 63; SECoS's SYS_readdir would be 13 under the other table. */
    printf("limited: uname=%s\n", uname(&u) == 0 ? u.sysname : "failed");
    long mib = argc > 1 ? atol(argv[1]) : 8;
    char *p = mmap(0, (size_t)mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("limited: mmap failed\n");
        return 1;
    }
    for (long i = 0; i < mib; i++) {
        for (long off = 0; off < 1 << 20; off += 4096) p[(i << 20) + off] = 1;
        printf("limited: touched %ld MiB\n", i + 1);
        fflush(stdout);
    }
    return 0;
}

/* spawnloop <n> <program> [args]: n rounds of SYS_spawn + SYS_wait, the
 * resource-accounting test: after it, the kernel's free frames and heap usage
 * must be exactly what they were before (tests/qemu/test_processes.py). */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    if (argc < 3) {
        printf("usage: spawnloop <n> <program> [args...]\n");
        return 2;
    }
    long n = atoi(argv[1]), failed = 0;
    for (long i = 0; i < n; i++) {
        long pid = sys_spawn(argv[2], (const char *const *)&argv[2], 0);
        int status = -1;
        if (pid < 0 || sys_wait(pid, &status) != pid || status != 0) {
            if (failed++ < 5) printf("spawnloop: round %ld failed: pid=%ld status=%d\n", i, pid, status);
        }
    }
    printf("spawnloop: %ld rounds, %ld failed\n", n, failed);
    return failed != 0;
}

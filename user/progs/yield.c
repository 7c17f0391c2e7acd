/* yield <tag> <n>: prints "yield <tag> <i>" n times, giving up the CPU after
 * each line. Two instances started together should alternate. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    const char *tag = argc > 1 ? argv[1] : "-";
    int n = argc > 2 ? atoi(argv[2]) : 5;
    for (int i = 0; i < n; i++) {
        printf("yield %s %d\n", tag, i);
        sys_yield();
    }
    return 0;
}

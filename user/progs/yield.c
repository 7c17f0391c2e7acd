/* yield <tag> <n>: prints "yield <tag> <i>" n times, giving up the CPU after
 * each line. Two instances started together should alternate.
 * yield --pair <n>: starts "yield B <n>" itself, then runs as A and waits for
 * it, so both exist before the first yield (no race with the console). */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

static void loop(const char *tag, int n) {
    for (int i = 0; i < n; i++) {
        printf("yield %s %d\n", tag, i); /* a newline flushes */
        sys_yield();
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--pair") == 0) {
        const char *n = argc > 2 ? argv[2] : "5";
        const char *child_argv[] = { "yield", "B", n, 0 };
        long pid = sys_spawn("yield", child_argv, 0);
        if (pid < 0) {
            printf("yield: cannot start the partner: %s\n", strerror((int)pid));
            return 1;
        }
        loop("A", atoi(n));
        int status = -1;
        sys_wait(pid, &status);
        return status;
    }
    const char *tag = argc > 1 ? argv[1] : "-";
    loop(tag, argc > 2 ? atoi(argv[2]) : 5);
    return 0;
}

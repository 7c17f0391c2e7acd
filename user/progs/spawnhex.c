/* spawnhex <hex path> [args...]: spawns the program at the path spelled in
 * hex, waits for it and prints its exit status. Tests use it to start
 * programs whose names the shell cannot type (control and non-ASCII bytes,
 * e.g. from an initrd), to check every place such a name is printed. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int main(int argc, char **argv) {
    static char path[256];
    if (argc < 2) {
        printf("usage: spawnhex <hex path> [args...]\n");
        return 2;
    }
    unsigned long n = 0;
    for (const char *h = argv[1]; h[0]; h += 2) {
        int hi = hexval(h[0]), lo = h[1] ? hexval(h[1]) : -1;
        if (hi < 0 || lo < 0 || n + 1 >= sizeof path) {
            printf("spawnhex: bad hex path\n");
            return 2;
        }
        path[n++] = (char)(hi * 16 + lo);
    }
    path[n] = '\0';
    argv[1] = path;
    long pid = sys_spawn(path, (const char *const *)&argv[1], 0);
    if (pid < 0) {
        printf("spawnhex: spawn failed: %ld\n", pid);
        return 1;
    }
    int status = 0;
    sys_wait(pid, &status);
    printf("spawnhex: pid %ld exited with status %d\n", pid, status);
    return 0;
}

/* free: memory in use, from /proc/meminfo (no system call of its own).
 *   usage: free [-k | -m]
 * Linux's layout for the lines SECoS fills: total, used, free, available
 * (kB by default, MiB with -m). */
#include <stdio.h>
#include <string.h>

static int usage(FILE *f, int status) {
    fputs("usage: free [-k | -m]\nShows total, used, free and available memory from /proc/meminfo "
          "(-k kB, the default; -m MiB).\n", f);
    return status;
}

/* The kB value of "Key:  N kB", or -1 if absent. */
static long field(const char *text, const char *key) {
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        long v;
        if (strncmp(p, key, kl) == 0 && p[kl] == ':' && sscanf(p + kl + 1, "%ld", &v) == 1) return v;
    }
    return -1;
}

int main(int argc, char **argv) {
    long div = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-k")) div = 1;
        else if (!strcmp(argv[i], "-m")) div = 1024;
        else if (!strcmp(argv[i], "--help")) return usage(stdout, 0);
        else return usage(stderr, 2);
    }
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) {
        perror("free: /proc/meminfo");
        return 1;
    }
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    long total = field(text, "MemTotal"), mfree = field(text, "MemFree"), avail = field(text, "MemAvailable");
    if (total < 0 || mfree < 0) {
        fputs("free: /proc/meminfo has no MemTotal or MemFree\n", stderr);
        return 1;
    }
    if (avail < 0) avail = mfree;
    printf("%15s %12s %12s %12s\n", "total", "used", "free", "available");
    printf("Mem: %10ld %12ld %12ld %12ld\n", total / div, (total - mfree) / div, mfree / div, avail / div);
    return 0;
}

/* uptime: how long the system has run, from /proc/uptime.
 *   usage: uptime [-s]
 * "up D days, HH:MM:SS"; -s the seconds alone (with hundredths). */
#include <stdio.h>
#include <string.h>

static int usage(FILE *f, int status) {
    fputs("usage: uptime [-s]\nShows how long the system has been up (from /proc/uptime); -s: in seconds.\n", f);
    return status;
}

int main(int argc, char **argv) {
    int seconds_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s")) seconds_only = 1;
        else if (!strcmp(argv[i], "--help")) return usage(stdout, 0);
        else return usage(stderr, 2);
    }
    FILE *f = fopen("/proc/uptime", "r");
    unsigned long s = 0, cs = 0;
    if (!f || fscanf(f, "%lu.%lu", &s, &cs) != 2) {
        perror("uptime: /proc/uptime");
        return 1;
    }
    fclose(f);
    if (seconds_only) {
        printf("%lu.%02lu\n", s, cs);
        return 0;
    }
    unsigned long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
    if (d) printf("up %lu day%s, %02lu:%02lu:%02lu\n", d, d == 1 ? "" : "s", h, m, s % 60);
    else printf("up %02lu:%02lu:%02lu\n", h, m, s % 60);
    return 0;
}

/* ps: the processes, from /proc/<pid>/stat (no system call of its own).
 *   usage: ps
 * One line per process: PID, PPID, state (R running or ready, S sleeping,
 * Z zombie), name; kernel tasks (no image) are shown too. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f, int status) {
    fputs("usage: ps\nLists the processes: PID, PPID, STATE (R, S, Z) and NAME, from /proc.\n", f);
    return status;
}

static int by_pid(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and
 * parentheses, so it ends at the last ')'. */
static int show(int pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1; /* it ended meanwhile */
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open || close[1] != ' ') return -1;
    *close = '\0';
    char state = '?';
    int ppid = 0;
    if (sscanf(close + 2, "%c %d", &state, &ppid) != 2) return -1;
    printf("%5d %5d %c     %s\n", pid, ppid, state, open + 1);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1) return usage(strcmp(argv[1], "--help") ? stderr : stdout, strcmp(argv[1], "--help") ? 2 : 0);
    DIR *d = opendir("/proc");
    if (!d) {
        perror("ps: /proc");
        return 1;
    }
    int pids[1024], n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < (int)(sizeof pids / sizeof pids[0])) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        pids[n++] = atoi(e->d_name);
    }
    closedir(d);
    qsort(pids, (size_t)n, sizeof pids[0], by_pid);
    printf("  PID  PPID STATE NAME\n");
    for (int i = 0; i < n; i++) show(pids[i]);
    return 0;
}

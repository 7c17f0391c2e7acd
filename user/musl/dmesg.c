/* dmesg: the kernel log, /proc/dmesg (lib/klog.h: the last 16 KiB the
 * kernel printed, kernel addresses shown as <kaddr>).
 *   usage: dmesg */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 1) {
        int help = !strcmp(argv[1], "--help");
        fputs("usage: dmesg\nPrints the kernel log (/proc/dmesg).\n", help ? stdout : stderr);
        return help ? 0 : 2;
    }
    int fd = open("/proc/dmesg", O_RDONLY);
    if (fd < 0) {
        perror("dmesg: /proc/dmesg");
        return 1;
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(1, buf, (size_t)n) != n) return 1;
    close(fd);
    return n < 0;
}

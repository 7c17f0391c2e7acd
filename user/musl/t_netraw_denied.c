/* A program with a manifest but without MANIFEST_FLAG_NET_RAW cannot open
 * a raw frame device, however it asks.
 *
 * usage: t_netraw_denied [device]   (default /dev/eth0) */
#include "t_check.h"
#include "manifest.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS | MANIFEST_FLAG_ABI_LINUX, 4 << 20);

int main(int argc, char **argv) {
    check_init();
    const char *dev = argc > 1 ? argv[1] : "/dev/eth0";
    static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_NONBLOCK };
    for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        int fd = open(dev, modes[i]);
        CHECK("open without NET_RAW: EPERM", fd < 0 && errno == EPERM, "mode %#x: fd %d errno %d", modes[i], fd, errno);
        if (fd >= 0) close(fd);
    }
    return check_done("t_netraw_denied");
}

/* The raw frame device /dev/eth0 from the network server's side
 * (include/secos/netraw.h): this program's manifest has
 * MANIFEST_FLAG_NET_RAW. It checks exclusivity, the info ioctl, every
 * refused write, non-blocking and short reads, then sends an ARP who-has
 * for QEMU's gateway and reads the answer.
 *
 * usage: t_netraw [device]          (default /dev/eth0)
 *        t_netraw --hold <ms>       open /dev/eth0, keep it that long, close */
#include "t_check.h"
#include "manifest.h"
#include "secos/netraw.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS | MANIFEST_FLAG_ABI_LINUX | MANIFEST_FLAG_NET_RAW, 4 << 20);

static unsigned char frame[SECOS_NETRAW_FRAME_MAX + 64];

static int arp_request(unsigned char *f, const unsigned char mac[6]) {
    static const unsigned char head[] = { 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1 };
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    memcpy(f + 12, head, sizeof head);
    memcpy(f + 22, mac, 6);
    memcpy(f + 28, (unsigned char[]){ 10, 0, 2, 15 }, 4);
    memcpy(f + 38, (unsigned char[]){ 10, 0, 2, 2 }, 4);
    return 60;
}

static int is_gateway_reply(const unsigned char *f, long n) {
    return n >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 && memcmp(f + 28, "\x0a\x00\x02\x02", 4) == 0;
}

static int hold(const char *ms) {
    int fd = open("/dev/eth0", O_RDWR);
    if (fd < 0) { printf("t_netraw: /dev/eth0: %s\n", strerror(errno)); return 1; }
    printf("holding /dev/eth0\n");
    usleep((useconds_t)atoi(ms) * 1000);
    close(fd);
    printf("released /dev/eth0\n");
    return 0;
}

int main(int argc, char **argv) {
    check_init();
    if (argc == 3 && strcmp(argv[1], "--hold") == 0) return hold(argv[2]);
    const char *dev = argc > 1 ? argv[1] : "/dev/eth0";
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: t_netraw [device] | t_netraw --hold <ms>\n");
        return 2;
    }
    int fd = open(dev, O_RDWR);
    CHECK("open with NET_RAW", fd >= 0, "errno %d (%s)", errno, strerror(errno));
    if (fd < 0) return check_done("t_netraw");
    int fd2 = open(dev, O_RDWR);
    CHECK("second open: EBUSY", fd2 < 0 && errno == EBUSY, "got %d errno %d", fd2, errno);

    struct secos_netraw_info info;
    memset(&info, 0xee, sizeof info);
    CHECK("info ioctl", ioctl(fd, SECOS_NETRAW_INFO, &info) == 0, "errno %d", errno);
    printf("mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u link %u\n", info.mac[0], info.mac[1], info.mac[2],
           info.mac[3], info.mac[4], info.mac[5], info.mtu, info.link_up);
    CHECK("unknown ioctl: ENOTTY", ioctl(fd, 0x4e99, &info) < 0 && errno == ENOTTY, "errno %d", errno);
    CHECK("info to a bad pointer: EFAULT", ioctl(fd, SECOS_NETRAW_INFO, (void *)8) < 0 && errno == EFAULT,
          "errno %d", errno);

    int len = arp_request(frame, info.mac);
    frame[6] ^= 2;   /* someone else's address */
    CHECK("spoofed source: EINVAL", write(fd, frame, len) < 0 && errno == EINVAL, "errno %d", errno);
    frame[6] ^= 2;
    CHECK("13 bytes: EINVAL", write(fd, frame, 13) < 0 && errno == EINVAL, "errno %d", errno);
    CHECK("1515 bytes: EINVAL", write(fd, frame, 1515) < 0 && errno == EINVAL, "errno %d", errno);
    CHECK("bad pointer: EFAULT", write(fd, (void *)16, 60) < 0 && errno == EFAULT, "errno %d", errno);

    fcntl(fd, F_SETFL, O_NONBLOCK);
    CHECK("empty, non-blocking: EAGAIN", read(fd, frame, sizeof frame) < 0 && errno == EAGAIN, "errno %d", errno);
    fcntl(fd, F_SETFL, 0);

    CHECK("send who-has 10.0.2.2", write(fd, frame, len) == len, "errno %d", errno);
    struct pollfd p = { fd, POLLIN, 0 };
    CHECK("poll: readable", poll(&p, 1, 3000) == 1 && (p.revents & POLLIN), "revents %#x", p.revents);
    CHECK("10-byte buffer: EMSGSIZE", read(fd, frame, 10) < 0 && errno == EMSGSIZE, "errno %d", errno);
    long n = read(fd, frame, sizeof frame);
    CHECK("the gateway answers", is_gateway_reply(frame, n), "read %ld", n);
    if (n >= 42)
        printf("reply from %02x:%02x:%02x:%02x:%02x:%02x\n", frame[22], frame[23], frame[24], frame[25], frame[26],
               frame[27]);

    CHECK("close", close(fd) == 0, "errno %d", errno);
    fd = open(dev, O_RDWR);
    CHECK("open again after close", fd >= 0, "errno %d", errno);
    close(fd);
    return check_done("t_netraw");
}

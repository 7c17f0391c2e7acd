/* An lwIP netif over SECoS's raw frame device (include/secos/netraw.h):
 * write(2) one frame per call, read(2) one whole frame per call. */
#include "netd.h"
#include "secos/netraw.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int raw_fd = -1;
static uint8_t frame[SECOS_NETRAW_FRAME_MAX];

static err_t link_output(struct netif *nif, struct pbuf *p) {
    (void)nif;
    if (p->tot_len > sizeof frame) return ERR_BUF;
    uint16_t n = pbuf_copy_partial(p, frame, p->tot_len, 0);
    ssize_t w = write(raw_fd, frame, n);
    if (w == (ssize_t)n) return ERR_OK;
    return errno == EAGAIN || errno == ENOBUFS ? ERR_MEM : ERR_IF;
}

static err_t init(struct netif *nif) {
    struct secos_netraw_info info;
    if (ioctl(raw_fd, SECOS_NETRAW_INFO, &info) != 0) return ERR_IF;
    nif->name[0] = 'e';
    nif->name[1] = 't';
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, info.mac, 6);
    nif->mtu = info.mtu;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    if (info.link_up) nif->flags |= NETIF_FLAG_LINK_UP;
    nif->output = etharp_output;
    nif->linkoutput = link_output;
    return ERR_OK;
}

int netif_raw_open(struct netif *nif, const char *dev) {
    raw_fd = open(dev, O_RDWR | O_NONBLOCK);
    if (raw_fd < 0) {
        fprintf(stderr, "netd: %s: %s\n", dev, strerror(errno));
        return -1;
    }
    if (!netif_add(nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, 0, init, ethernet_input)) {
        fprintf(stderr, "netd: %s: not a SECoS raw frame device\n", dev);
        return -1;
    }
    return 0;
}

int netif_raw_fd(const struct netif *nif) {
    (void)nif;
    return raw_fd;
}

int netif_raw_input(struct netif *nif) {
    int taken = 0;
    for (;;) {
        ssize_t n = read(raw_fd, frame, sizeof frame);
        if (n < 0) return errno == EAGAIN ? taken : -1;
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_POOL);
        if (!p) continue;   /* out of buffers: the frame is dropped, as a NIC would */
        pbuf_take(p, frame, (u16_t)n);
        if (nif->input(p, nif) != ERR_OK) pbuf_free(p);
        taken++;
    }
}

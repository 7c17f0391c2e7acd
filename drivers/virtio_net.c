/* virtio-net (virtio 1.x, 5.1) over the modern PCI transport: queue 0
 * receives, queue 1 transmits, each VNET_BUFS buffers of 2 KiB with the
 * 12-byte virtio-net header in front of the frame. Features asked for:
 * VERSION_1, MAC, STATUS; no offloads, no mergeable buffers, so every
 * received frame arrives whole in one buffer.
 *
 * DMA: the two ring pages and the buffer frames are kernel-owned, given to
 * the device once, when the NIC is first used (netdev_up), and never freed
 * or reused. drivers/virtq_pool.c
 * keeps who holds each buffer: a receive buffer is copied out only after
 * the device returned it (with a length checked against the buffer), then
 * posted again; a transmit buffer is rewritten only after the device gave
 * it back. A device that breaks the ring protocol is marked broken: no more
 * frames are taken from it or given to it. */
#include "drivers/virtio_net.h"
#include "drivers/virtio_pci.h"
#include "drivers/virtq_pool.h"
#include "drivers/pci.h"
#include "net/netdev.h"
#include "mm/pmm.h"
#include "mm/physmap.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "secos/errno.h"

#define VIRTIO_NET_F_MAC    (1ULL << 5)
#define VIRTIO_NET_F_STATUS (1ULL << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define VNET_HDR   12                 /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define VNET_BUF   2048
#define VNET_BUFS  32
#define VNET_MAX   2
#define RXQ 0
#define TXQ 1

struct vnet {
    struct netdev nd;
    struct virtio_pci vp;
    struct virtq_pool rx, tx;
    uint64_t features;
    uint8_t *rx_buf[VNET_BUFS], *tx_buf[VNET_BUFS];
    uint64_t rx_pa[VNET_BUFS], tx_pa[VNET_BUFS];
    uint16_t tx_next;
    int broken;
};

static struct vnet nics[VNET_MAX];
static int nnics;

static void mark_broken(struct vnet *v) {
    if (v->broken) return;
    v->broken = 1;
    kprintf("[VIRTIO] %s: the device broke the queue protocol: disabled\n", v->nd.name);
}

static void rx_drain(struct vnet *v) {
    uint16_t id;
    uint32_t len;
    int r;
    while (!v->broken && (r = vqp_take(&v->rx, &id, &len)) == 1) {
        if (len < VNET_HDR + NETDEV_FRAME_MIN) v->nd.stats.rx_errors++;
        else netdev_rx(&v->nd, v->rx_buf[id] + VNET_HDR, len - VNET_HDR);   /* netdev checks the upper bound */
        if (vqp_post(&v->rx, id, v->rx_pa[id], VNET_BUF, 1) != 0) { mark_broken(v); return; }
        virtio_pci_notify_queue(&v->vp, RXQ);
    }
    if (r < 0) mark_broken(v);
}

static void tx_reclaim(struct vnet *v) {
    uint16_t id;
    uint32_t len;
    int r;
    while (!v->broken && (r = vqp_take(&v->tx, &id, &len)) == 1) {}
    if (r < 0) mark_broken(v);
}

static void vnet_irq(void *arg) {
    struct vnet *v = arg;
    if (!(virtio_pci_isr(&v->vp) & 1)) return;   /* the line is shared; config changes are read on demand */
    v->nd.stats.irqs++;
    rx_drain(v);
    tx_reclaim(v);
}

static void vnet_poll(struct netdev *nd) {
    struct vnet *v = nd->priv;
    virtio_pci_isr(&v->vp);
    rx_drain(v);
    tx_reclaim(v);
}

static int vnet_xmit(struct netdev *nd, const void *frame, uint32_t len) {
    struct vnet *v = nd->priv;
    if (v->broken) return -EIO;
    tx_reclaim(v);
    uint16_t id = v->tx_next;
    if (v->tx.owned[id]) return -ENOBUFS;         /* buffers go round in order: the oldest is still out */
    memset(v->tx_buf[id], 0, VNET_HDR);
    memcpy(v->tx_buf[id] + VNET_HDR, frame, len);
    if (vqp_post(&v->tx, id, v->tx_pa[id], VNET_HDR + len, 0) != 0) return -EIO;
    v->tx_next = (uint16_t)((id + 1) % VNET_BUFS);
    virtio_pci_notify_queue(&v->vp, TXQ);
    return 0;
}

static int vnet_link_up(struct netdev *nd) {
    struct vnet *v = nd->priv;
    if (!(v->features & VIRTIO_NET_F_STATUS) || v->vp.device_len < 8) return !v->broken;
    return (*(volatile uint16_t *)(v->vp.device + 6) & VIRTIO_NET_S_LINK_UP) != 0;
}

/* One queue: its ring page and VNET_BUFS buffers, two to a frame. Frames
 * are given back if allocation fails before the device heard of them. */
static int setup_queue(struct vnet *v, uint16_t qi, struct virtq_pool *q, uint8_t **buf, uint64_t *pa) {
    enum { NFRAMES = 1 + VNET_BUFS / 2 };
    uint64_t f[NFRAMES];
    if (pmm_alloc_zeroed_n(f, NFRAMES) != 0) return -ENOMEM;
    uint16_t qs = virtio_pci_queue_size(&v->vp, qi, VNET_BUFS);
    if (qs != VNET_BUFS || vqp_init(q, phys_to_virt(f[0]), qs) != 0 ||
        virtio_pci_enable_queue(&v->vp, qi, qs, f[0], f[0] + virtq_avail_off(qs), f[0] + VIRTQ_USED_OFF) != 0)
        return -ENODEV;   /* the frames stay with the device: it may have been told about the ring */
    for (int i = 0; i < VNET_BUFS; i++) {
        pa[i] = f[1 + i / 2] + (uint64_t)(i % 2) * VNET_BUF;
        buf[i] = phys_to_virt(pa[i]);
    }
    return 0;
}

/* netdev_up: both queues, every receive buffer posted, then DRIVER_OK. A
 * failure leaves the device FAILED and the NIC broken for good. */
static int vnet_open(struct netdev *nd) {
    struct vnet *v = nd->priv;
    if (v->broken) return -EIO;
    int r = setup_queue(v, RXQ, &v->rx, v->rx_buf, v->rx_pa);
    if (r == 0) r = setup_queue(v, TXQ, &v->tx, v->tx_buf, v->tx_pa);
    if (r != 0) {
        virtio_pci_fail(&v->vp);
        v->broken = 1;
        kprintf("[VIRTIO] %s: queues could not be set up (%d)\n", nd->name, r);
        return r;
    }
    for (uint16_t i = 0; i < VNET_BUFS; i++) vqp_post(&v->rx, i, v->rx_pa[i], VNET_BUF, 1);
    virtio_pci_driver_ok(&v->vp);
    virtio_pci_notify_queue(&v->vp, RXQ);
    return 0;
}

static const struct netdev_ops vnet_ops = { vnet_open, vnet_xmit, vnet_link_up, vnet_poll };

/* Features and MAC; the queues wait for netdev_up (the device sits in
 * FEATURES_OK until then, which the spec allows). */
static int probe(const struct pci_dev *d) {
    if (nnics == VNET_MAX) return -ENOSPC;
    struct vnet *v = &nics[nnics];
    const char *why = "";
    if (virtio_pci_probe(&v->vp, d, &why) != 0) {
        kprintf("[VIRTIO] %02x:%02x.%x: %s\n", d->bus, d->dev, d->fn, why);
        return -ENODEV;
    }
    v->features = virtio_pci_negotiate(&v->vp, VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
    if (!v->features || !(v->features & VIRTIO_NET_F_MAC) || v->vp.device_len < 6) {
        if (v->features) virtio_pci_fail(&v->vp);
        kprintf("[VIRTIO] %02x:%02x.%x: network device without VERSION_1 and a MAC address\n", d->bus, d->dev, d->fn);
        return -ENODEV;
    }
    for (int i = 0; i < 6; i++) v->nd.mac[i] = v->vp.device[i];
    if (v->nd.mac[0] & 1) {
        virtio_pci_fail(&v->vp);
        kprintf("[VIRTIO] %02x:%02x.%x: multicast MAC address refused\n", d->bus, d->dev, d->fn);
        return -ENODEV;
    }
    v->nd.driver = "virtio-net";
    v->nd.ops = &vnet_ops;
    v->nd.priv = v;
    int r = netdev_register(&v->nd);
    if (r != 0) {
        virtio_pci_fail(&v->vp);
        kprintf("[VIRTIO] %02x:%02x.%x: cannot register: %d\n", d->bus, d->dev, d->fn, r);
        return r;
    }
    v->nd.irq_ok = pci_irq_register(d, vnet_irq, v) == 0;
    nnics++;
    const uint8_t *m = v->nd.mac;
    kprintf("[VIRTIO] %s: virtio-net at %02x:%02x.%x, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, irq %s\n",
            v->nd.name, d->bus, d->dev, d->fn, m[0], m[1], m[2], m[3], m[4], m[5],
            vnet_link_up(&v->nd) ? "up" : "down", v->nd.irq_ok ? "on" : "off (polling)");
    return 0;
}

int virtio_net_init(void) {
    /* 0x1000: transitional (legacy + modern); 0x1041: modern only. */
    static const uint16_t ids[] = { 0x1000, 0x1041 };
    for (unsigned k = 0; k < 2; k++)
        for (uint32_t n = 0;; n++) {
            const struct pci_dev *d = pci_find_id(0x1af4, ids[k], n);
            if (!d) break;
            probe(d);
        }
    return nnics;
}

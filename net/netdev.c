/* The NIC registry and each NIC's receive queue (net/netdev.h). */
#include "net/netdev.h"
#include "arch/x86_64/cpu.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "secos/errno.h"

static struct netdev *devs[NETDEV_MAX];
static uint32_t ndevs;
static void (*rx_hook)(void);

void netdev_set_rx_hook(void (*fn)(void)) { rx_hook = fn; }

int netdev_register(struct netdev *nd) {
    if (ndevs == NETDEV_MAX) return -ENOSPC;
    nd->rxq = 0;
    nd->up = 0;
    nd->rx_head = nd->rx_count = 0;
    memcpy(nd->name, "eth", 3);
    nd->name[3] = (char)('0' + ndevs);
    nd->name[4] = 0;
    devs[ndevs++] = nd;
    return 0;
}

int netdev_up(struct netdev *nd) {
    if (nd->up) return 0;
    struct netdev_frame *q = kmalloc(sizeof(struct netdev_frame) * NETDEV_RXQ);
    if (!q) return -ENOMEM;
    nd->rxq = q;   /* before open: the device may interrupt as soon as it has rings */
    int r = nd->ops->open(nd);
    if (r != 0) {
        nd->rxq = 0;
        kfree(q);
        return r;
    }
    nd->up = 1;
    return 0;
}

uint32_t netdev_count(void) { return ndevs; }
struct netdev *netdev_at(uint32_t i) { return i < ndevs ? devs[i] : 0; }

struct netdev *netdev_find(const char *name) {
    for (uint32_t i = 0; i < ndevs; i++)
        if (strcmp(devs[i]->name, name) == 0) return devs[i];
    return 0;
}

void netdev_rx(struct netdev *nd, const void *frame, uint32_t len) {
    if (!nd->rxq) return;   /* cannot happen: the device has no rings before netdev_up */
    if (len < NETDEV_FRAME_MIN || len > NETDEV_FRAME_MAX) { nd->stats.rx_errors++; return; }
    if (nd->rx_count == NETDEV_RXQ) { nd->stats.rx_dropped++; return; }
    struct netdev_frame *f = &nd->rxq[(nd->rx_head + nd->rx_count) % NETDEV_RXQ];
    memcpy(f->data, frame, len);
    f->len = (uint16_t)len;
    nd->rx_count++;
    nd->stats.rx_packets++;
    nd->stats.rx_bytes += len;
    wakeup(nd);
    if (rx_hook) rx_hook();
}

int netdev_take(struct netdev *nd, void *buf, uint32_t cap) {
    int up = netdev_up(nd);
    if (up != 0) return up;
    uint64_t f = irq_save();
    if (!nd->irq_ok && nd->ops->poll) nd->ops->poll(nd);
    int r = -EAGAIN;
    if (nd->rx_count) {
        struct netdev_frame *fr = &nd->rxq[nd->rx_head];
        if (fr->len > cap) {
            r = -EMSGSIZE;
        } else {
            memcpy(buf, fr->data, fr->len);
            r = fr->len;
            nd->rx_head = (nd->rx_head + 1) % NETDEV_RXQ;
            nd->rx_count--;
        }
    }
    irq_restore(f);
    return r;
}

int netdev_send(struct netdev *nd, const void *frame, uint32_t len) {
    if (len < NETDEV_FRAME_MIN || len > NETDEV_FRAME_MAX) return -EINVAL;
    int up = netdev_up(nd);
    if (up != 0) return up;
    uint64_t f = irq_save();   /* the driver's ring is shared with its interrupt handler */
    int r = nd->ops->xmit(nd, frame, len);
    if (r == 0) {
        nd->stats.tx_packets++;
        nd->stats.tx_bytes += len;
    } else if (r == -ENOBUFS) {
        nd->stats.tx_dropped++;
    } else {
        nd->stats.tx_errors++;
    }
    irq_restore(f);
    return r;
}

int netdev_recv(struct netdev *nd, void *buf, uint32_t cap, uint64_t deadline) {
    int r = netdev_up(nd);
    if (r != 0) return r;
    uint64_t f = irq_save();
    for (;;) {
        if (!nd->irq_ok && nd->ops->poll) nd->ops->poll(nd);
        if (nd->rx_count) {
            struct netdev_frame *fr = &nd->rxq[nd->rx_head];
            memcpy(buf, fr->data, fr->len < cap ? fr->len : cap);
            r = fr->len;
            nd->rx_head = (nd->rx_head + 1) % NETDEV_RXQ;
            nd->rx_count--;
            break;
        }
        if (timer_ticks() >= deadline) { r = -ETIMEDOUT; break; }
        if (nd->irq_ok && current) {
            sleep_on_device(nd, deadline);   /* interrupts off from the check to the block */
        } else {
            cpu_sti_hlt();                   /* the tick (or the device) ends the halt */
            cpu_cli();
        }
    }
    irq_restore(f);
    return r;
}

uint32_t netdev_flush_rx(struct netdev *nd) {
    if (!nd->up) return 0;
    uint64_t f = irq_save();
    uint32_t n = nd->rx_count;
    nd->stats.rx_dropped += n;
    nd->rx_head = nd->rx_count = 0;
    irq_restore(f);
    return n;
}

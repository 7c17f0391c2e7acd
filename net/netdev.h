/* Network interfaces: the NICs the drivers found, each with its MAC
 * address, link state, counters and a bounded queue of received frames.
 * Drivers register here and hand over every good frame from their
 * interrupt handler; the one consumer of raw frames (today the console's
 * diagnostics) takes them from the queue. Nothing here parses a frame.
 *
 * A NIC costs memory only once it is used: its rings and buffers (the
 * driver's `open`) and its receive queue are allocated by netdev_up, which
 * every send and receive calls first, so a machine that never uses its NIC
 * (or has 4 MiB of RAM) does not pay for it.
 *
 * Invariants: a registered netdev is never unregistered (its memory lives
 * as long as the kernel); once up, it stays up. The receive queue holds at most NETDEV_RXQ frames;
 * a frame arriving at a full queue is dropped and counted, never blocks the
 * driver. Every frame in the queue is 14..NETDEV_FRAME_MAX bytes. */
#ifndef NET_NETDEV_H
#define NET_NETDEV_H
#include <stdint.h>

#define NETDEV_MAX        4
#define NETDEV_FRAME_MIN  14     /* an Ethernet header */
#define NETDEV_FRAME_MAX  1514   /* header + 1500-byte payload, no FCS */
#define NETDEV_RXQ        256    /* frames; about 380 KiB, allocated on first use */

struct netdev;

struct netdev_ops {
    /* Gives the device its rings and starts receiving (once, from
     * netdev_up): 0, or a negative errno (the NIC stays down). */
    int (*open)(struct netdev *nd);
    /* Queues one frame (len within the limits above) for transmission:
     * 0, or -ENOBUFS when the device's ring is full, -EIO when broken. */
    int (*xmit)(struct netdev *nd, const void *frame, uint32_t len);
    /* 1 when the link is up. */
    int (*link_up)(struct netdev *nd);
    /* Collects completed work without an interrupt (called while waiting
     * when the device has no interrupt line). */
    void (*poll)(struct netdev *nd);
};

struct netdev_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    uint64_t irqs;
};

struct netdev_frame { uint16_t len; uint8_t data[NETDEV_FRAME_MAX]; };

struct netdev {
    char name[8];                  /* eth0.. (set by netdev_register) */
    const char *driver;            /* "e1000", ... */
    uint8_t mac[6];
    int irq_ok;                    /* 0: the device is polled */
    const struct netdev_ops *ops;
    void *priv;
    struct netdev_stats stats;
    struct netdev_frame *rxq;      /* NETDEV_RXQ frames, allocated at registration */
    uint32_t rx_head, rx_count;
    int raw_owner;                 /* pid holding the raw frame device, 0 = none (set by fs/netdev_file.c) */
    int up;                        /* netdev_up succeeded: rings given, rxq allocated */
};

/* Names the device eth<N> (nothing is allocated): 0 or -ENOSPC. */
int netdev_register(struct netdev *nd);
/* Allocates the receive queue and opens the device, once: 0, -ENOMEM, or
 * the driver's error (a later call tries again). Process context. */
int netdev_up(struct netdev *nd);
uint32_t netdev_count(void);
struct netdev *netdev_at(uint32_t i);            /* 0 past the end */
struct netdev *netdev_find(const char *name);    /* 0 when there is none */

/* Driver side, interrupts off: one received frame, copied into the queue
 * (or counted as dropped or as an error when its length is impossible). */
void netdev_rx(struct netdev *nd, const void *frame, uint32_t len);
/* Sends one frame (bringing the NIC up first): 0, -EINVAL (length out
 * of limits), netdev_up's error, or the driver's. */
int netdev_send(struct netdev *nd, const void *frame, uint32_t len);
/* Takes the oldest received frame into buf (cap bytes; a longer frame is
 * cut and its length still returned), waiting until timer tick `deadline`:
 * the frame's length, -ETIMEDOUT, or netdev_up's error. */
int netdev_recv(struct netdev *nd, void *buf, uint32_t cap, uint64_t deadline);
/* Without waiting: the oldest frame's length with the frame copied into
 * buf and taken off the queue; -EAGAIN (queue empty), or -EMSGSIZE (cap
 * below its length: the frame stays queued, nothing is cut), or
 * netdev_up's error. */
int netdev_take(struct netdev *nd, void *buf, uint32_t cap);
/* A higher layer's wake-up for each frame queued (poll/select sleepers):
 * set once at boot; called with interrupts off. */
void netdev_set_rx_hook(void (*fn)(void));
/* Empties the receive queue (frames counted as dropped): how many. */
uint32_t netdev_flush_rx(struct netdev *nd);

#endif

/* A split virtqueue (virtio 1.x, 2.7) whose every descriptor is a buffer
 * of its own, many in flight at once: the shape of a NIC's receive and
 * transmit queues. Descriptor i always describes the driver's buffer i, so
 * the id the device returns names the buffer. Pure (no I/O, no allocation):
 * host tests drive it with a simulated device.
 *
 * Invariants: a buffer is the device's from vqp_post until vqp_take returns
 * its id, and is posted at most once in between; nothing the device writes
 * in the used ring makes the driver accept an id it did not post, a length
 * above what it may write, or more completions than it posted: those are
 * reported as a broken protocol and the queue must not be used again. */
#ifndef DRIVERS_VIRTQ_POOL_H
#define DRIVERS_VIRTQ_POOL_H
#include <stdint.h>
#include "drivers/virtq.h"

struct virtq_pool {
    uint16_t size;                 /* power of two, 2..VIRTQ_MAX_SIZE */
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint16_t last_used;            /* used.idx seen so far */
    uint16_t next_avail;           /* our avail.idx */
    uint16_t posted;               /* buffers the device holds */
    uint8_t owned[VIRTQ_MAX_SIZE]; /* 1: buffer i is the device's */
    uint32_t writable[VIRTQ_MAX_SIZE];
};

/* Lays the rings out in page (4096 bytes, zeroed by the caller) as
 * virtq_init does. -1 for a bad size. */
int vqp_init(struct virtq_pool *q, void *page, uint16_t size);
/* Gives buffer id (addr, len) to the device, writable by it or not:
 * 0, or -1 (id out of range, already the device's, zero length). The
 * caller notifies the device afterwards. */
int vqp_post(struct virtq_pool *q, uint16_t id, uint64_t addr, uint32_t len, int device_writes);
/* 1: *id is back from the device, *len bytes written into it; 0: nothing
 * new; -1: the device broke the protocol. */
int vqp_take(struct virtq_pool *q, uint16_t *id, uint32_t *len);

#endif

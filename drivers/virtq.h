/* A split virtqueue (virtio 1.x, 2.7) driven one request at a time: the
 * request's descriptors are always 0..n-1 with head 0, so the device can
 * only legitimately complete id 0, and never more than one entry per
 * submission. Pure (no I/O, no allocation): the caller owns the memory and
 * the notification, host tests drive it with a simulated device.
 *
 * Invariants: between virtq_submit and the virtq_poll that reports the
 * completion, the device owns the request's buffers; nothing here lets the
 * device make the driver write outside the rings (an out-of-range id, an
 * impossible length or index jump is reported, never followed). */
#ifndef DRIVERS_VIRTQ_H
#define DRIVERS_VIRTQ_H
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct virtq_avail { uint16_t flags, idx, ring[]; };
struct virtq_used_elem { uint32_t id, len; };
struct virtq_used { uint16_t flags, idx; struct virtq_used_elem ring[]; };

/* Queue sizes this layout fits in one 4 KiB page. */
#define VIRTQ_MAX_SIZE 64
#define VIRTQ_USED_OFF 2048

struct virtq {
    uint16_t size;                 /* power of two, 2..VIRTQ_MAX_SIZE */
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint16_t last_used;            /* used.idx seen so far */
    uint16_t in_flight;            /* 0 or 1 */
    uint32_t writable;             /* bytes the device may write in the request in flight */
};

struct virtq_buf { uint64_t addr; uint32_t len; int device_writes; };

/* Lays the rings out in page (4096 bytes, zeroed by the caller): desc at 0,
 * avail after it, used at VIRTQ_USED_OFF. -1 for a bad size. */
int virtq_init(struct virtq *q, void *page, uint16_t size);
/* The three rings' addresses in page for a queue of size entries (desc at
 * 0, avail after it, used at VIRTQ_USED_OFF): 0, or -1 for a bad size. */
int virtq_layout(void *page, uint16_t size, volatile struct virtq_desc **desc, volatile struct virtq_avail **avail,
                 volatile struct virtq_used **used);
/* Offsets of the avail and used rings in the page. */
static inline uint32_t virtq_avail_off(uint16_t size) { return 16u * size; }
/* Chains bufs[0..n) and publishes the chain: 0, or -1 (n out of range,
 * a zero length, or a request already in flight). */
int virtq_submit(struct virtq *q, const struct virtq_buf *bufs, uint32_t n);
/* 0: not done yet; 1: done, *len = bytes the device says it wrote; -1: the
 * device broke the protocol (wrong id, length above what it may write,
 * more completions than submissions): the queue must not be used again. */
int virtq_poll(struct virtq *q, uint32_t *len);

#endif

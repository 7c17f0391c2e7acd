/* Split virtqueue, one request in flight. The barriers order our ring
 * writes before the index the device reads, and the device's index before
 * our read of its entry (x86 is TSO: compiler barriers suffice for
 * write-back memory; the notify write is an uncached MMIO store). */
#include "drivers/virtq.h"

#define barrier() __asm__ volatile("" ::: "memory")

int virtq_layout(void *page, uint16_t size, volatile struct virtq_desc **desc, volatile struct virtq_avail **avail,
                 volatile struct virtq_used **used) {
    if (size < 2 || size > VIRTQ_MAX_SIZE || (size & (size - 1))) return -1;
    uint8_t *p = page;
    *desc = (volatile struct virtq_desc *)p;
    *avail = (volatile struct virtq_avail *)(p + virtq_avail_off(size));
    *used = (volatile struct virtq_used *)(p + VIRTQ_USED_OFF);
    return 0;
}

int virtq_init(struct virtq *q, void *page, uint16_t size) {
    if (virtq_layout(page, size, &q->desc, &q->avail, &q->used) != 0) return -1;
    q->size = size;
    q->last_used = 0;
    q->in_flight = 0;
    q->writable = 0;
    return 0;
}

int virtq_submit(struct virtq *q, const struct virtq_buf *bufs, uint32_t n) {
    if (q->in_flight || n == 0 || n > q->size) return -1;
    uint32_t writable = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (bufs[i].len == 0) return -1;
        if (bufs[i].device_writes) writable += bufs[i].len;
    }
    for (uint32_t i = 0; i < n; i++) {
        q->desc[i].addr = bufs[i].addr;
        q->desc[i].len = bufs[i].len;
        q->desc[i].flags = (uint16_t)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) | (bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0));
        q->desc[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
    }
    uint16_t idx = q->avail->idx;
    q->avail->ring[idx & (q->size - 1)] = 0;
    barrier();
    q->avail->idx = (uint16_t)(idx + 1);
    barrier();
    q->in_flight = 1;
    q->writable = writable;
    return 0;
}

int virtq_poll(struct virtq *q, uint32_t *len) {
    uint16_t idx = q->used->idx;
    barrier();
    uint16_t ahead = (uint16_t)(idx - q->last_used);
    if (ahead == 0) return 0;
    if (!q->in_flight || ahead > 1) return -1;
    volatile struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
    uint32_t id = e->id, n = e->len;
    q->last_used = idx;
    q->in_flight = 0;
    if (id != 0 || n > q->writable) return -1;
    *len = n;
    return 1;
}

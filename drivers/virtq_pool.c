/* Split virtqueue with one buffer per descriptor (drivers/virtq_pool.h).
 * Barriers as in virtq.c: our descriptor and ring entry before the index
 * the device reads; the device's index before our read of its entry. */
#include "drivers/virtq_pool.h"

#define barrier() __asm__ volatile("" ::: "memory")

int vqp_init(struct virtq_pool *q, void *page, uint16_t size) {
    if (virtq_layout(page, size, &q->desc, &q->avail, &q->used) != 0) return -1;
    q->size = size;
    q->last_used = q->next_avail = q->posted = 0;
    for (uint16_t i = 0; i < VIRTQ_MAX_SIZE; i++) { q->owned[i] = 0; q->writable[i] = 0; }
    return 0;
}

int vqp_post(struct virtq_pool *q, uint16_t id, uint64_t addr, uint32_t len, int device_writes) {
    if (id >= q->size || q->owned[id] || len == 0) return -1;
    q->desc[id].addr = addr;
    q->desc[id].len = len;
    q->desc[id].flags = device_writes ? VIRTQ_DESC_F_WRITE : 0;
    q->desc[id].next = 0;
    q->owned[id] = 1;
    q->writable[id] = device_writes ? len : 0;
    q->posted++;
    q->avail->ring[q->next_avail & (q->size - 1)] = id;
    barrier();
    q->next_avail++;
    q->avail->idx = q->next_avail;
    barrier();
    return 0;
}

int vqp_take(struct virtq_pool *q, uint16_t *id, uint32_t *len) {
    uint16_t idx = q->used->idx;
    barrier();
    uint16_t ahead = (uint16_t)(idx - q->last_used);
    if (ahead == 0) return 0;
    if (ahead > q->posted) return -1;
    volatile struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
    uint32_t i = e->id, n = e->len;
    if (i >= q->size || !q->owned[i] || n > q->writable[i]) return -1;
    q->last_used++;
    q->owned[i] = 0;
    q->posted--;
    *id = (uint16_t)i;
    *len = n;
    return 1;
}

#include "lib/ringbuf.h"

void ringbuf_init(struct ringbuf *rb) {
    rb->head = rb->tail = rb->dropped = 0;
}

size_t ringbuf_count(const struct ringbuf *rb) {
    return (uint32_t)(rb->head - rb->tail);
}

int ringbuf_put(struct ringbuf *rb, uint8_t byte) {
    if (ringbuf_count(rb) >= RINGBUF_SIZE) {
        rb->dropped++;
        return -1;
    }
    rb->data[rb->head % RINGBUF_SIZE] = byte;
    __asm__ volatile("" ::: "memory"); /* data before the index that publishes it */
    rb->head++;
    return 0;
}

int ringbuf_get(struct ringbuf *rb, uint8_t *byte) {
    if (rb->head == rb->tail) return -1;
    *byte = rb->data[rb->tail % RINGBUF_SIZE];
    __asm__ volatile("" ::: "memory");
    rb->tail++;
    return 0;
}

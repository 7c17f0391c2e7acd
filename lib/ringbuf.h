/* A fixed-size single-producer/single-consumer byte ring. The producer is an
 * interrupt handler, the consumer runs with interrupts enabled; head and tail
 * are each written by one side only, so no lock is needed on one CPU. When the
 * ring is full new bytes are dropped and counted, never overwriting unread ones. */
#ifndef LIB_RINGBUF_H
#define LIB_RINGBUF_H
#include <stddef.h>
#include <stdint.h>

#define RINGBUF_SIZE 256 /* power of two */

struct ringbuf {
    uint8_t data[RINGBUF_SIZE];
    volatile uint32_t head; /* next write */
    volatile uint32_t tail; /* next read */
    volatile uint32_t dropped;
};

void ringbuf_init(struct ringbuf *rb);
int ringbuf_put(struct ringbuf *rb, uint8_t byte); /* 0, or -1 when full (dropped) */
int ringbuf_get(struct ringbuf *rb, uint8_t *byte); /* 0, or -1 when empty */
size_t ringbuf_count(const struct ringbuf *rb);

#endif

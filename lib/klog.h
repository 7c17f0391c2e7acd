/* The kernel log: the last KLOG_SIZE bytes of what the kernel printed with
 * kprintf (not what programs write to the console, not test markers), read
 * by user space as /proc/dmesg (the dmesg program).
 *
 * No kernel addresses leak through it: each line is held back until its
 * end (or until KLOG_LINE_MAX bytes) and every hexadecimal number in it
 * that lies in the kernel half (0xffff800000000000 and up: the physmap,
 * heap, stacks and image) becomes "<kaddr>" before it enters the ring.
 * Pure: the state is a struct, so host tests can have their own. */
#ifndef LIB_KLOG_H
#define LIB_KLOG_H
#include <stddef.h>
#include <stdint.h>

#define KLOG_SIZE     16384u  /* power of two */
#define KLOG_LINE_MAX 256u

struct klog {
    char ring[KLOG_SIZE];
    uint64_t total;              /* bytes ever appended; the ring holds the last KLOG_SIZE */
    char line[KLOG_LINE_MAX];
    size_t line_len;
};

extern struct klog kernel_log;  /* what kprintf feeds (lib/console_out.c) */

void klog_putc(struct klog *l, char c);
/* Bytes readable now, oldest first. */
uint64_t klog_size(const struct klog *l);
/* Copies up to len bytes from offset off of the readable text; returns how
 * many (0 at the end). */
uint64_t klog_read(const struct klog *l, uint64_t off, char *buf, uint64_t len);
/* The redaction itself: in (n bytes) into out, at most cap bytes; returns
 * the bytes written. */
size_t klog_redact(const char *in, size_t n, char *out, size_t cap);

#endif

/* User-space runtime: buffered console output, exit, malloc/free, atoi, strerror. */
#include "ulib.h"
#include "lib/printf.h"
#include "lib/strerror.h"
#include <stdarg.h>

/* ---- output ------------------------------------------------------------ */

static char out_buf[512];
static size_t out_len;

long write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    size_t left = len;
    while (left) {
        long r = sys_write(fd, p, left);
        if (r < 0) return r;
        if (r == 0) return -EIO;          /* no progress: give up rather than spin */
        p += r;
        left -= (size_t)r;
    }
    return (long)len;
}

void flush(void) {
    if (out_len) write_all(STDOUT_FD, out_buf, out_len);
    out_len = 0;
}

static void out_char(char c) {
    if (out_len == sizeof out_buf) flush();
    out_buf[out_len++] = c;
}

static void printf_emit(char c, void *ctx) {
    (void)ctx;
    out_char(c);
}

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = kvcprintf(printf_emit, NULL, fmt, ap);
    va_end(ap);
    flush();
    return n;
}

int putchar(int c) {
    out_char((char)c);
    if (c == '\n') flush();
    return (unsigned char)c;
}

int puts(const char *s) {
    while (*s) out_char(*s++);
    out_char('\n');
    flush();
    return 0;
}

/* ---- exit -------------------------------------------------------------- */

void exit(int status) {
    flush();
    for (;;) sys_exit(status);        /* SYS_exit does not return; loop if it ever does */
}

/* ---- malloc ------------------------------------------------------------
 * Small requests come from 64 KiB chunks obtained with SYS_mmap and are kept
 * on one address-ordered, first-fit free list; neighbouring free blocks merge
 * on free. Requests above LARGE_MIN get their own mapping and are unmapped on
 * free. Every block starts with a 16-byte header; payloads are 16-aligned. */

#define CHUNK_SIZE (64 * 1024)
#define LARGE_MIN  (32 * 1024)
#define PAGE_SIZE  4096
#define HDR_MAGIC  0x5345434f53484452ull   /* catches frees of foreign pointers */
#define FLAG_LARGE 1ull

struct hdr {
    size_t size;        /* whole block incl. header, multiple of 16; bit 0 = large */
    uint64_t magic;     /* HDR_MAGIC ^ size while allocated */
};
struct free_blk {
    struct hdr h;
    struct free_blk *next;
};

static struct free_blk *free_list;

static void *map(size_t len) {
    long r = sys_mmap(0, len, PROT_READ | PROT_WRITE);
    return sys_is_err(r) ? NULL : (void *)r;
}

/* Inserts b in address order and merges it with adjacent free neighbours. */
static void free_insert(struct free_blk *b) {
    struct free_blk **pp = &free_list, *prev = NULL;
    while (*pp && *pp < b) { prev = *pp; pp = &(*pp)->next; }
    b->next = *pp;
    *pp = b;
    if (b->next && (char *)b + b->h.size == (char *)b->next) {
        b->h.size += b->next->h.size;
        b->next = b->next->next;
    }
    if (prev && (char *)prev + prev->h.size == (char *)b) {
        prev->h.size += b->h.size;
        prev->next = b->next;
    }
}

static void *finish(struct hdr *h, size_t size) {
    h->size = size;
    h->magic = HDR_MAGIC ^ size;
    return h + 1;
}

void *malloc(size_t size) {
    if (size == 0) size = 1;
    if (size > ((size_t)1 << 40)) return NULL;              /* no overflow below */
    size_t need = (size + sizeof(struct hdr) + 15) & ~(size_t)15;
    if (need < sizeof(struct free_blk)) need = sizeof(struct free_blk);

    if (need > LARGE_MIN) {
        size_t len = (need + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
        struct hdr *h = map(len);
        return h ? finish(h, len | FLAG_LARGE) : NULL;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        for (struct free_blk **pp = &free_list; *pp; pp = &(*pp)->next) {
            struct free_blk *b = *pp;
            if (b->h.size < need) continue;
            if (b->h.size - need >= sizeof(struct free_blk)) {  /* split: keep the tail free */
                struct free_blk *rest = (struct free_blk *)((char *)b + need);
                rest->h.size = b->h.size - need;
                rest->next = b->next;
                *pp = rest;
            } else {
                need = b->h.size;
                *pp = b->next;
            }
            return finish(&b->h, need);
        }
        struct free_blk *chunk = map(CHUNK_SIZE);
        if (!chunk) return NULL;
        chunk->h.size = CHUNK_SIZE;
        free_insert(chunk);
    }
    return NULL;
}

void *calloc(size_t n, size_t size) {
    if (size && n > (size_t)-1 / size) return NULL;
    void *p = malloc(n * size);
    if (p) memset(p, 0, n * size);    /* fresh mmap memory is zero, reused blocks are not */
    return p;
}

void free(void *p) {
    if (!p) return;
    struct hdr *h = (struct hdr *)p - 1;
    if (h->magic != (HDR_MAGIC ^ h->size)) {
        printf("free: bad pointer %p\n", p);
        exit(134);
    }
    h->magic = 0;                     /* a second free of p is caught too */
    if (h->size & FLAG_LARGE) {
        sys_munmap(h, h->size & ~FLAG_LARGE);
        return;
    }
    free_insert((struct free_blk *)h);
}

/* ---- conversions ------------------------------------------------------- */

int atoi(const char *s) {
    int neg = 0;
    long v = 0;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '-' || *s == '+') neg = (*s++ == '-');
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
        if (v > 0x7fffffffL) v = 0x80000000L;           /* saturate instead of overflowing */
    }
    if (neg) v = -v;
    if (v > 0x7fffffffL) v = 0x7fffffffL;
    return (int)v;
}

const char *strerror(int err) { return secos_strerror(err); }
const char *errno_name(int err) { return secos_errno_name(err); }

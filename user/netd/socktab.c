/* The kernel's socket ids -> netd's records: a fixed array of hash chains
 * (ids are the kernel's, never 0, unique while named). At most SOCK_MAX
 * records exist at once, named or not. */
#include "sock.h"
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024

static struct sock *bucket[BUCKETS];
static int live;   /* records allocated, in the table or not */

struct sock *sock_new(uint32_t id, uint8_t type) {
    if (live >= SOCK_MAX) return NULL;
    struct sock *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->id = id;
    s->type = type;
    s->rxwin = SECOS_NETSRV_RXWIN;
    live++;
    return s;
}

void sock_insert(struct sock *s) {
    struct sock **b = &bucket[s->id % BUCKETS];
    s->hnext = *b;
    *b = s;
}

struct sock *sock_find(uint32_t id) {
    for (struct sock *s = bucket[id % BUCKETS]; s; s = s->hnext)
        if (s->id == id) return s;
    return NULL;
}

void sock_remove(struct sock *s) {
    for (struct sock **p = &bucket[s->id % BUCKETS]; *p; p = &(*p)->hnext)
        if (*p == s) {
            *p = s->hnext;
            s->hnext = NULL;
            return;
        }
}

void sock_free(struct sock *s) {
    if (s->rxq) pbuf_free(s->rxq);
    free(s->tx);
    free(s);
    live--;
}

int sock_count(void) { return live; }

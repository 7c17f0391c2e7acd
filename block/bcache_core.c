/* Block cache core. Lookups scan the pool (a few hundred entries; the
 * device is slower by orders of magnitude). A miss takes a free entry, else
 * the least recently used clean one, else the least recently used dirty one
 * of the oldest epoch after writing it back (with the older epochs of its
 * device); if that write-back fails the request fails with -EIO and the
 * dirty block stays. */
#include "block/bcache_core.h"
#include "lib/string.h"
#include "secos/errno.h"

void bcache_init(struct bcache *c, struct bcache_entry *entries, uint32_t n, uint8_t *data, uint32_t block_size,
                 const struct bcache_ops *ops) {
    c->e = entries;
    c->n = n;
    c->block_size = block_size;
    c->clock = 0;
    c->epoch = 0;
    c->ops = ops;
    c->run_buf = 0;
    c->run_max = 0;
    memset(&c->st, 0, sizeof c->st);
    for (uint32_t i = 0; i < n; i++) {
        entries[i].dev = 0;
        entries[i].blk = 0;
        entries[i].stamp = 0;
        entries[i].dirty = 0;
        entries[i].epoch = 0;
        entries[i].data = data + (uint64_t)i * block_size;
    }
}

static struct bcache_entry *lookup(struct bcache *c, void *dev, uint64_t blk) {
    for (uint32_t i = 0; i < c->n; i++)
        if (c->e[i].dev == dev && c->e[i].blk == blk) return &c->e[i];
    return 0;
}

void bcache_set_run_buf(struct bcache *c, uint8_t *buf, uint32_t max) {
    c->run_buf = buf;
    c->run_max = buf && c->ops->write_run ? max : 0;
}

/* A dirty entry of e's device and epoch holding blk, or 0. */
static struct bcache_entry *run_member(struct bcache *c, const struct bcache_entry *e, uint64_t blk) {
    struct bcache_entry *f = lookup(c, e->dev, blk);
    return f && f->dirty && f->epoch == e->epoch ? f : 0;
}

/* e and the dirty blocks of its epoch next to it, in one request. */
static int write_run(struct bcache *c, struct bcache_entry *e) {
    uint64_t first = e->blk;
    uint32_t count = 1;
    while (count < c->run_max && first > 0 && run_member(c, e, first - 1)) first--, count++;
    while (count < c->run_max && first + count > first && run_member(c, e, first + count)) count++;
    if (count == 1) return 1;
    for (uint32_t i = 0; i < count; i++)
        memcpy(c->run_buf + (uint64_t)i * c->block_size, lookup(c, e->dev, first + i)->data, c->block_size);
    if (c->ops->write_run(e->dev, first, count, c->run_buf) < 0) {
        c->st.write_errors++;
        return -EIO;
    }
    for (uint32_t i = 0; i < count; i++) lookup(c, e->dev, first + i)->dirty = 0;
    c->st.writebacks += count;
    c->st.runs++;
    return 0;
}

static int write_back(struct bcache *c, struct bcache_entry *e) {
    if (c->run_max > 1) {
        int r = write_run(c, e);
        if (r <= 0) return r;
    }
    int r = c->ops->write(e->dev, e->blk, e->data);
    if (r < 0) {
        c->st.write_errors++;
        return -EIO;
    }
    c->st.writebacks++;
    e->dirty = 0;
    return 0;
}

/* Write order: a before b when a's epoch is older, else by block. */
static int earlier(const struct bcache_entry *a, const struct bcache_entry *b) {
    return a->epoch < b->epoch || (a->epoch == b->epoch && a->blk < b->blk);
}

/* Writes back every dirty block of dev dirtied before epoch `before`, oldest
 * epoch first, flushing the device after each epoch: 0 or -EIO (at the
 * first failure, so nothing newer overtakes the block that failed). */
static int write_back_older(struct bcache *c, void *dev, uint64_t before) {
    uint64_t last = UINT64_MAX;
    for (;;) {
        struct bcache_entry *next = 0;
        for (uint32_t i = 0; i < c->n; i++) {
            struct bcache_entry *e = &c->e[i];
            if (e->dev == dev && e->dirty && e->epoch < before && (!next || earlier(e, next))) next = e;
        }
        if ((!next || next->epoch != last) && last != UINT64_MAX && c->ops->flush && c->ops->flush(dev) < 0)
            return -EIO;
        if (!next) return 0;
        last = next->epoch;
        if (write_back(c, next) < 0) return -EIO;
    }
}

/* An entry to reuse, written back and freed; 0 (with *err) when the only
 * candidate could not be written back. */
static struct bcache_entry *victim(struct bcache *c, int *err) {
    struct bcache_entry *clean = 0, *dirty = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        struct bcache_entry *e = &c->e[i];
        if (!e->dev) return e;
        if (e->dirty) {
            if (!dirty || e->epoch < dirty->epoch || (e->epoch == dirty->epoch && e->stamp < dirty->stamp)) dirty = e;
        } else if (!clean || e->stamp < clean->stamp) {
            clean = e;
        }
    }
    struct bcache_entry *v = clean ? clean : dirty;
    if (v && v->dirty && ((*err = write_back_older(c, v->dev, v->epoch)) < 0 || (*err = write_back(c, v)) < 0))
        return 0;
    if (v) v->dev = 0;
    return v;
}

/* The entry holding (dev, blk), filled from the device unless fill is 0. */
static struct bcache_entry *get(struct bcache *c, void *dev, uint64_t blk, int fill, int *err) {
    struct bcache_entry *e = lookup(c, dev, blk);
    if (e) {
        c->st.hits++;
    } else {
        c->st.misses++;
        if (!(e = victim(c, err))) return 0;
        if (fill) {
            int r = c->ops->read(dev, blk, e->data);
            if (r < 0) {
                c->st.read_errors++;
                *err = r;
                return 0;           /* e stays free */
            }
        }
        e->dev = dev;
        e->blk = blk;
        e->dirty = 0;
    }
    e->stamp = ++c->clock;
    return e;
}

int bcache_read(struct bcache *c, void *dev, uint64_t blk, uint32_t off, void *buf, uint32_t len) {
    if (!dev || off > c->block_size || len > c->block_size - off) return -EINVAL;
    int err = -EIO;
    struct bcache_entry *e = get(c, dev, blk, 1, &err);
    if (!e) return err;
    memcpy(buf, e->data + off, len);
    return 0;
}

int bcache_write(struct bcache *c, void *dev, uint64_t blk, uint32_t off, const void *buf, uint32_t len) {
    if (!dev || off > c->block_size || len > c->block_size - off) return -EINVAL;
    int err = -EIO;
    int whole = off == 0 && len == c->block_size;
    struct bcache_entry *e = get(c, dev, blk, !whole, &err);
    if (!e) return err;
    /* Dirty from an earlier epoch: that content goes out (with everything
     * older) before this block may carry newer bytes. */
    if (e->dirty && e->epoch < c->epoch && write_back_older(c, dev, c->epoch) < 0) return -EIO;
    memcpy(e->data + off, buf, len);
    e->dirty = 1;
    e->epoch = c->epoch;
    return 0;
}

void bcache_barrier(struct bcache *c) { c->epoch++; }

int bcache_sync(struct bcache *c, void *dev) {
    int r = 0;
    void *last_dev = 0;
    uint64_t last_epoch = 0;
    /* Per device, oldest epoch first, ascending blocks inside an epoch. */
    for (;;) {
        struct bcache_entry *next = 0;
        for (uint32_t i = 0; i < c->n; i++) {
            struct bcache_entry *e = &c->e[i];
            if (!e->dev || !e->dirty || (dev && e->dev != dev) || e->stamp == UINT64_MAX) continue;
            if (!next || (uintptr_t)e->dev < (uintptr_t)next->dev || (e->dev == next->dev && earlier(e, next)))
                next = e;
        }
        if (!next) break;
        int ok = 1;
        if (next->dev == last_dev && next->epoch != last_epoch && c->ops->flush && c->ops->flush(next->dev) < 0) ok = 0;
        last_dev = next->dev;
        last_epoch = next->epoch;
        if (!ok || write_back(c, next) < 0) {
            r = -EIO;
            /* Still dirty, and so is every later epoch of its device:
             * skipped for the rest of this sync by a marker stamp, restored
             * below. */
            for (uint32_t i = 0; i < c->n; i++) {
                struct bcache_entry *e = &c->e[i];
                if (e->dev == next->dev && e->dirty && e->epoch >= next->epoch) e->stamp = UINT64_MAX;
            }
        }
    }
    for (uint32_t i = 0; i < c->n; i++)
        if (c->e[i].stamp == UINT64_MAX) c->e[i].stamp = ++c->clock;
    return r;
}

uint32_t bcache_count(const struct bcache *c, uint32_t *dirty) {
    uint32_t used = 0, d = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        if (!c->e[i].dev) continue;
        used++;
        d += c->e[i].dirty;
    }
    if (dirty) *dirty = d;
    return used;
}

int bcache_cached(const struct bcache *c, void *dev, uint64_t blk) {
    for (uint32_t i = 0; i < c->n; i++)
        if (c->e[i].dev == dev && c->e[i].blk == blk) return 1;
    return 0;
}

/* block/bcache_core.c against a model disk: random reads and writes
 * through a tiny cache never return stale data and reach the disk after
 * sync; eviction writes back dirty blocks; a failing write-back keeps the
 * block dirty, sync reports -EIO, and a later sync (device healed) writes
 * it; a whole-block write needs no read; a failed read caches nothing;
 * the pool never holds more than its entries, nor two copies of a block. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/string.h"
#include "block/bcache_core.h"
#include "secos/errno.h"

#define BS 64
#define NBLK 32
#define NENT 4

struct fake { uint8_t disk[NBLK * BS]; int fail_write, fail_read; uint64_t reads, writes; uint64_t order[64]; };
static struct fake dev_a, dev_b;

static int f_read(void *dev, uint64_t blk, uint8_t *buf) {
    struct fake *f = dev;
    if (f->fail_read || blk >= NBLK) return -EIO;
    f->reads++;
    memcpy(buf, f->disk + blk * BS, BS);
    return 0;
}
static int f_write(void *dev, uint64_t blk, const uint8_t *buf) {
    struct fake *f = dev;
    if (f->fail_write || blk >= NBLK) return -EIO;
    if (f->writes < 64) f->order[f->writes] = blk;   /* which block reached the disk when */
    f->writes++;
    memcpy(f->disk + blk * BS, buf, BS);
    return 0;
}
static uint64_t run_calls;
/* A run: its blocks reach the disk in order, counted as one request. */
static int f_write_run(void *dev, uint64_t blk, uint32_t count, const uint8_t *buf) {
    run_calls++;
    for (uint32_t i = 0; i < count; i++) {
        int r = f_write(dev, blk + i, buf + (uint64_t)i * BS);
        if (r) return r;
    }
    return 0;
}
static const struct bcache_ops ops = { f_read, f_write, 0, 0 };
static const struct bcache_ops run_ops = { f_read, f_write, 0, f_write_run };

static struct bcache c;
static struct bcache_entry ent[NENT];
static uint8_t pool[NENT * BS];

static void fresh(void) {
    memset(&dev_a, 0, sizeof dev_a);
    memset(&dev_b, 0, sizeof dev_b);
    for (int i = 0; i < NBLK * BS; i++) { dev_a.disk[i] = (uint8_t)i; dev_b.disk[i] = (uint8_t)(i * 3); }
    bcache_init(&c, ent, NENT, pool, BS, &ops);
}

static void no_duplicates(void) {
    for (int i = 0; i < NENT; i++)
        for (int j = 0; j < i; j++)
            if (ent[i].dev) assert_false(ent[i].dev == ent[j].dev && ent[i].blk == ent[j].blk);
}

static void test_random_against_model(void **st) {
    (void)st;
    fresh();
    uint8_t model_a[NBLK * BS], model_b[NBLK * BS];
    memcpy(model_a, dev_a.disk, sizeof model_a);
    memcpy(model_b, dev_b.disk, sizeof model_b);
    srand(7);
    for (int i = 0; i < 20000; i++) {
        struct fake *f = rand() & 1 ? &dev_a : &dev_b;
        uint8_t *m = f == &dev_a ? model_a : model_b;
        uint64_t blk = (uint64_t)(rand() % NBLK);
        uint32_t off = (uint32_t)(rand() % BS), len = (uint32_t)(rand() % (BS - off + 1));
        uint8_t buf[BS];
        if (rand() % 3 == 0) {
            for (uint32_t k = 0; k < len; k++) buf[k] = (uint8_t)rand();
            assert_int_equal(bcache_write(&c, f, blk, off, buf, len), 0);
            memcpy(m + blk * BS + off, buf, len);
        } else {
            assert_int_equal(bcache_read(&c, f, blk, off, buf, len), 0);
            assert_memory_equal(buf, m + blk * BS + off, len);
        }
        if (rand() % 500 == 0) {
            assert_int_equal(bcache_sync(&c, rand() & 1 ? f : 0), 0);
        }
        no_duplicates();
        assert_true(bcache_count(&c, 0) <= NENT);
    }
    assert_int_equal(bcache_sync(&c, 0), 0);
    uint32_t dirty;
    bcache_count(&c, &dirty);
    assert_int_equal(dirty, 0);
    assert_memory_equal(dev_a.disk, model_a, sizeof model_a);
    assert_memory_equal(dev_b.disk, model_b, sizeof model_b);
}

static void test_eviction_writes_back(void **st) {
    (void)st;
    fresh();
    uint8_t x = 0xee;
    assert_int_equal(bcache_write(&c, &dev_a, 0, 5, &x, 1), 0);
    assert_int_equal(dev_a.disk[5], 5);                 /* write-back: not yet on the disk */
    uint8_t buf[BS];
    for (int b = 1; b < NENT; b++) assert_int_equal(bcache_write(&c, &dev_a, (uint64_t)b, 0, &x, 1), 0);
    assert_int_equal(bcache_read(&c, &dev_a, NENT, 0, buf, BS), 0);   /* all dirty: the LRU one goes */
    assert_int_equal(dev_a.disk[5], 0xee);              /* evicted: written back */
    assert_true(c.st.writebacks == 1);
}

static void test_clean_victims_first(void **st) {
    (void)st;
    fresh();
    uint8_t buf[BS], x = 1;
    assert_int_equal(bcache_write(&c, &dev_a, 0, 0, &x, 1), 0);   /* oldest, dirty */
    for (int b = 1; b < NENT; b++) assert_int_equal(bcache_read(&c, &dev_a, (uint64_t)b, 0, buf, 1), 0);
    assert_int_equal(bcache_read(&c, &dev_a, 10, 0, buf, 1), 0);
    assert_true(bcache_cached(&c, &dev_a, 0));            /* the clean LRU went, not the dirty one */
    assert_false(bcache_cached(&c, &dev_a, 1));
    assert_true(c.st.writebacks == 0);
}

static void test_failed_writeback_stays_dirty(void **st) {
    (void)st;
    fresh();
    uint8_t x = 0x42, buf[BS];
    assert_int_equal(bcache_write(&c, &dev_a, 3, 0, &x, 1), 0);
    dev_a.fail_write = 1;
    assert_int_equal(bcache_sync(&c, &dev_a), -EIO);
    uint32_t dirty;
    bcache_count(&c, &dirty);
    assert_int_equal(dirty, 1);
    assert_int_equal(bcache_read(&c, &dev_a, 3, 0, buf, 1), 0);
    assert_int_equal(buf[0], 0x42);                       /* still the written data */
    /* A full cache of dirty blocks whose write-back fails: new blocks fail,
     * nothing dirty is lost. */
    for (int b = 10; b < 10 + NENT - 1; b++) assert_int_equal(bcache_write(&c, &dev_a, (uint64_t)b, 0, &x, 1), 0);
    assert_int_equal(bcache_read(&c, &dev_a, 20, 0, buf, 1), -EIO);
    bcache_count(&c, &dirty);
    assert_int_equal(dirty, NENT);
    dev_a.fail_write = 0;
    assert_int_equal(bcache_sync(&c, 0), 0);
    assert_int_equal(dev_a.disk[3 * BS], 0x42);
    bcache_count(&c, &dirty);
    assert_int_equal(dirty, 0);
}

static void test_whole_block_write_skips_read(void **st) {
    (void)st;
    fresh();
    uint8_t buf[BS];
    memset(buf, 9, BS);
    assert_int_equal(bcache_write(&c, &dev_a, 7, 0, buf, BS), 0);
    assert_true(dev_a.reads == 0);
    assert_int_equal(bcache_write(&c, &dev_a, 8, 1, buf, 2), 0);
    assert_true(dev_a.reads == 1);
}

static void test_failed_read_caches_nothing(void **st) {
    (void)st;
    fresh();
    uint8_t buf[BS];
    dev_a.fail_read = 1;
    assert_int_equal(bcache_read(&c, &dev_a, 2, 0, buf, 4), -EIO);
    assert_false(bcache_cached(&c, &dev_a, 2));
    assert_int_equal(bcache_write(&c, &dev_a, 2, 0, buf, 4), -EIO);   /* partial write needs the read */
    dev_a.fail_read = 0;
    assert_int_equal(bcache_read(&c, &dev_a, 2, 0, buf, 4), 0);
    assert_memory_equal(buf, dev_a.disk + 2 * BS, 4);
    assert_int_equal(bcache_read(&c, &dev_a, 2, BS - 1, buf, 2), -EINVAL);   /* past the block */
    assert_int_equal(bcache_read(&c, 0, 2, 0, buf, 2), -EINVAL);
}

/* Blocks dirtied after a barrier reach the disk after every block dirtied
 * before it, whichever path writes them: sync, re-dirtying, eviction. */
/* With a run buffer, neighbouring dirty blocks of one epoch go out in one
 * request, never two epochs in one, and the model still holds. */
static void test_runs_merge_one_epoch(void **st) {
    (void)st;
    static struct bcache_entry e8[8];
    static uint8_t p8[8 * BS], rb[4 * BS];
    memset(&dev_a, 0, sizeof dev_a);
    bcache_init(&c, e8, 8, p8, BS, &run_ops);
    bcache_set_run_buf(&c, rb, 4);
    run_calls = 0;
    uint8_t buf[BS];
    for (uint64_t b = 10; b < 16; b++) {   /* 10..12 in one epoch, 13..15 in the next */
        if (b == 13) bcache_barrier(&c);
        memset(buf, (int)b, BS);
        assert_int_equal(bcache_write(&c, &dev_a, b, 0, buf, BS), 0);
    }
    assert_int_equal(bcache_sync(&c, &dev_a), 0);
    assert_int_equal(run_calls, 2);
    assert_int_equal(dev_a.writes, 6);
    for (uint64_t b = 10; b < 16; b++) {
        assert_int_equal(dev_a.order[b - 10], b);
        assert_int_equal(dev_a.disk[b * BS], b);
    }
    /* at most max blocks a run; a lone block alone */
    dev_a.writes = 0;
    run_calls = 0;
    for (uint64_t b = 0; b < 6; b++) assert_int_equal(bcache_write(&c, &dev_a, b, 0, buf, BS), 0);
    assert_int_equal(bcache_write(&c, &dev_a, 20, 0, buf, BS), 0);
    assert_int_equal(bcache_sync(&c, &dev_a), 0);
    assert_int_equal(run_calls, 2);
    assert_int_equal(dev_a.writes, 7);
    /* an eviction writes its neighbours too (older epochs first) */
    dev_a.writes = 0;
    run_calls = 0;
    bcache_barrier(&c);
    for (uint64_t b = 0; b < 8; b++) assert_int_equal(bcache_write(&c, &dev_a, b, 0, buf, BS), 0);
    assert_int_equal(bcache_read(&c, &dev_a, 30, 0, buf, 1), 0);   /* needs a victim: all 8 dirty */
    assert_true(run_calls >= 1);
    assert_true(dev_a.writes >= 4);
}

static void test_barrier_orders_write_back(void **st) {
    (void)st;
    uint8_t x = 7, buf[BS];
    fresh();
    assert_int_equal(bcache_write(&c, &dev_a, 9, 0, &x, 1), 0);   /* epoch 0 */
    bcache_barrier(&c);
    assert_int_equal(bcache_write(&c, &dev_a, 2, 0, &x, 1), 0);   /* epoch 1: lower block, later epoch */
    assert_int_equal(bcache_write(&c, &dev_a, 1, 0, &x, 1), 0);
    assert_int_equal(bcache_sync(&c, &dev_a), 0);
    assert_int_equal(dev_a.writes, 3);
    assert_int_equal(dev_a.order[0], 9);                         /* block order only inside an epoch */
    assert_int_equal(dev_a.order[1], 1);
    assert_int_equal(dev_a.order[2], 2);

    /* Re-dirtying a block of an older epoch first writes that epoch out. */
    fresh();
    assert_int_equal(bcache_write(&c, &dev_a, 3, 0, &x, 1), 0);   /* epoch 0 */
    bcache_barrier(&c);
    assert_int_equal(bcache_write(&c, &dev_a, 8, 0, &x, 1), 0);   /* epoch 1 */
    bcache_barrier(&c);
    uint8_t y = 9;
    assert_int_equal(bcache_write(&c, &dev_a, 3, 0, &y, 1), 0);   /* epoch 2 */
    assert_int_equal(dev_a.writes, 2);
    assert_int_equal(dev_a.order[0], 3);
    assert_int_equal(dev_a.order[1], 8);
    assert_int_equal(dev_a.disk[3 * BS], 7);                     /* the old content went out, not the new */
    assert_int_equal(bcache_sync(&c, &dev_a), 0);
    assert_int_equal(dev_a.disk[3 * BS], 9);

    /* Eviction takes the oldest epoch's block; a newer one only after the older. */
    fresh();
    for (int b = 0; b < NENT; b++) {
        assert_int_equal(bcache_write(&c, &dev_a, (uint64_t)(NENT - b), 0, &x, 1), 0);
        bcache_barrier(&c);
    }
    assert_int_equal(bcache_read(&c, &dev_a, 20, 0, buf, 1), 0);   /* evicts block NENT (epoch 0) */
    assert_int_equal(dev_a.writes, 1);
    assert_int_equal(dev_a.order[0], NENT);
    /* A failed write-back of an older epoch keeps every later one back too. */
    dev_a.fail_write = 1;
    assert_int_equal(bcache_sync(&c, &dev_a), -EIO);
    dev_a.fail_write = 0;
    assert_int_equal(dev_a.writes, 1);
    assert_int_equal(bcache_sync(&c, &dev_a), 0);
    assert_int_equal(dev_a.writes, NENT);
    for (int i = 1; i < NENT; i++) assert_int_equal(dev_a.order[i], NENT - i);   /* epoch order, not block order */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_against_model),
        cmocka_unit_test(test_eviction_writes_back),
        cmocka_unit_test(test_clean_victims_first),
        cmocka_unit_test(test_failed_writeback_stays_dirty),
        cmocka_unit_test(test_whole_block_write_skips_read),
        cmocka_unit_test(test_failed_read_caches_nothing),
        cmocka_unit_test(test_barrier_orders_write_back),
        cmocka_unit_test(test_runs_merge_one_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

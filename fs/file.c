#include "fs/file.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "arch/x86_64/panic.h"
#include "kernel/proc.h"

static uint64_t live;   /* heap descriptions alive: each file_alloc until its last file_put */

struct file *file_alloc(const struct file_ops *ops, int flags) {
    struct file *f = kmalloc(sizeof *f);
    if (!f) return 0;
    memset(f, 0, sizeof *f);
    f->ops = ops;
    f->refs = 1;
    f->flags = flags;
    live++;
    return f;
}

struct file *file_get(struct file *f) {
    KASSERT(f->refs > 0);
    f->refs++;
    return f;
}

void file_put(struct file *f) {
    KASSERT(f->refs > 0);
    if (--f->refs > 0) return;
    if (f->ops->release) f->ops->release(f);
    if (!file_is_console(f)) {
        live--;
        kfree(f);
    }
}

uint64_t file_live_count(void) { return live; }

static int poll_chan;
static uint32_t poll_sleepers; /* tasks in file_poll_wait */
const void *file_poll_chan(void) { return &poll_chan; }
void file_poll_notify(void) {
    if (poll_sleepers) wakeup(&poll_chan);
}

int file_poll_wait(uint64_t deadline_tick) {
    poll_sleepers++;
    current->wake_tick = deadline_tick; /* the timer makes it READY then (kernel/sched.c) */
    int r = sleep_on(&poll_chan);
    current->wake_tick = 0;
    poll_sleepers--;
    return r;
}

int file_poll(struct file *f) { return f->ops->poll ? f->ops->poll(f) : FILE_POLLIN | FILE_POLLOUT; }

/* See fs/vol_lock.h. The wait channel is the lock itself. */
#include "fs/vol_lock.h"
#include "kernel/proc.h"

void vol_lock(struct vol_lock *l) {
    while (l->busy)
        if (sleep_on(l)) sched_yield();
    l->busy = 1;
}

void vol_unlock(struct vol_lock *l) {
    l->busy = 0;
    wakeup(l);
}

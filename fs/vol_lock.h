/* The lock of one mounted disk volume: at most one task is inside a volume's
 * code at a time, so its caches, allocation state and on-disk updates need
 * no finer locking. Shared by the disk file systems (FAT, exFAT).
 *
 * Invariant: a task sleeps while another holds the lock. A task with a signal
 * pending does not sleep (sleep_on returns at once): it yields instead, so
 * the holder runs and no operation, iput included, ever fails for it. */
#ifndef FS_VOL_LOCK_H
#define FS_VOL_LOCK_H

struct vol_lock {
    int busy;   /* 1 while a task is inside the volume */
};

void vol_lock(struct vol_lock *l);
void vol_unlock(struct vol_lock *l);

/* Defines L_<name>, <name> run under the lock `lock` (an lvalue that may use
 * `ctx`, the first parameter of every vfs_fs_ops entry). */
#define VOL_LOCKED(lock, ret, name, params, args) \
    static ret L_##name params {                  \
        vol_lock(&(lock));                        \
        ret r = name args;                        \
        vol_unlock(&(lock));                      \
        return r;                                 \
    }

#endif

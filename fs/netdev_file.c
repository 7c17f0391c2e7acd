/* /dev/eth<N>: a NIC's raw frames as a character device for the one
 * process whose manifest grants MANIFEST_FLAG_NET_RAW (the network
 * server); the contract is include/secos/netraw.h.
 *
 * Invariants: at most one open description per NIC (nd->raw_owner != 0
 * while it exists); frames move whole or not at all; every frame a process
 * sends carries the NIC's own source address and a length netdev accepts. */
#include "fs/netdev_file.h"
#include "fs/devfs.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "net/netdev.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/manifest.h"
#include "secos/netraw.h"

struct raw {
    struct netdev *nd;
    uint8_t frame[NETDEV_FRAME_MAX];
};

static int may_open_raw(void) {
    return current && !current->is_kernel && current->has_manifest &&
           (current->manifest.flags & MANIFEST_FLAG_NET_RAW);
}

/* Interrupts off around the check and the sleep, so a frame queued in
 * between wakes us. A polled NIC is looked at every tick. */
static int wait_frame(struct netdev *nd) {
    uint64_t f = irq_save();
    int r = 0;
    if (!nd->rx_count) r = nd->irq_ok ? sleep_on(nd) : sleep_on_until(nd, timer_ticks() + 1);
    irq_restore(f);
    return r;
}

static long raw_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    struct raw *r = f->priv;
    uint32_t cap = len < NETDEV_FRAME_MAX ? (uint32_t)len : NETDEV_FRAME_MAX;
    for (;;) {
        int n = netdev_take(r->nd, r->frame, cap);
        if (n >= 0) return copy_to_user(ubuf, r->frame, (uint64_t)n) ? -EFAULT : n;
        if (n != -EAGAIN) return n;
        if (f->flags & O_NONBLOCK) return -EAGAIN;
        if (wait_frame(r->nd) < 0) return -EINTR;
    }
}

static long raw_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    struct raw *r = f->priv;
    if (len < NETDEV_FRAME_MIN || len > NETDEV_FRAME_MAX) return -EINVAL;
    if (copy_from_user(r->frame, ubuf, len)) return -EFAULT;
    if (memcmp(r->frame + 6, r->nd->mac, 6) != 0) return -EINVAL;   /* no spoofed source address */
    /* A full ring drains within a few frame times: wait up to 100 ms. */
    uint64_t deadline = timer_ticks() + TIMER_HZ / 10;
    for (;;) {
        int e = netdev_send(r->nd, r->frame, (uint32_t)len);
        if (e == 0) return (long)len;
        if (e != -ENOBUFS) return e;
        if (f->flags & O_NONBLOCK) return -EAGAIN;
        if (timer_ticks() >= deadline) return -ENOBUFS;
        if (sched_sleep_ms(1) < 0) return -EINTR;
    }
}

static int raw_poll(struct file *f) {
    struct raw *r = f->priv;
    if (!r->nd->irq_ok && r->nd->ops->poll) {
        uint64_t fl = irq_save();
        r->nd->ops->poll(r->nd);
        irq_restore(fl);
    }
    return (r->nd->rx_count ? FILE_POLLIN : 0) | FILE_POLLOUT;
}

static long raw_ioctl(struct file *f, uint64_t req, uint64_t arg) {
    struct raw *r = f->priv;
    if (req != SECOS_NETRAW_INFO) return -ENOTTY;
    struct secos_netraw_info info;
    memset(&info, 0, sizeof info);
    memcpy(info.mac, r->nd->mac, 6);
    info.mtu = 1500;
    info.link_up = r->nd->ops->link_up(r->nd) ? 1 : 0;
    info.rx_dropped = r->nd->stats.rx_dropped;
    return copy_to_user(arg, &info, sizeof info) ? -EFAULT : 0;
}

static uint32_t index_of(const struct netdev *nd) {
    for (uint32_t i = 0; i < netdev_count(); i++)
        if (netdev_at(i) == nd) return i;
    return 0;
}

static int raw_stat(struct file *f, struct vfs_stat *st) {
    struct raw *r = f->priv;
    memset(st, 0, sizeof *st);
    st->type = VFS_CHR;
    st->mode = 0600;
    st->nlink = 1;
    st->rdev = SECOS_NETRAW_MAJOR << 8 | index_of(r->nd);
    st->atime = st->mtime = st->ctime = fs_now();
    return 0;
}

static void raw_release(struct file *f) {
    struct raw *r = f->priv;
    netdev_flush_rx(r->nd);
    r->nd->raw_owner = 0;
    kfree(r);
}

static const struct file_ops raw_ops = {
    .read = raw_read,
    .write = raw_write,
    .ioctl = raw_ioctl,
    .poll = raw_poll,
    .stat = raw_stat,
    .release = raw_release,
};

static struct file *open_nic(uint32_t index, int flags, int *err) {
    struct netdev *nd = netdev_at(index);
    if (!nd) { *err = -ENXIO; return 0; }
    if (!may_open_raw()) { *err = -EPERM; return 0; }
    if (nd->raw_owner) { *err = -EBUSY; return 0; }
    int up = netdev_up(nd);
    if (up != 0) { *err = up; return 0; }
    struct raw *r = kmalloc(sizeof *r);
    struct file *f = r ? file_alloc(&raw_ops, flags) : 0;
    if (!f) { kfree(r); *err = -ENOMEM; return 0; }
    r->nd = nd;
    f->priv = r;
    nd->raw_owner = current->pid;
    netdev_flush_rx(nd);   /* frames from before the open are nobody's */
    return f;
}

/* devfs opens by number only: one function per possible NIC. */
static struct file *open0(int flags, int *err) { return open_nic(0, flags, err); }
static struct file *open1(int flags, int *err) { return open_nic(1, flags, err); }
static struct file *open2(int flags, int *err) { return open_nic(2, flags, err); }
static struct file *open3(int flags, int *err) { return open_nic(3, flags, err); }
static struct file *(*const openers[NETDEV_MAX])(int, int *) = { open0, open1, open2, open3 };

static struct devfs_chr nodes[NETDEV_MAX];

int netdev_files_init(void) {
    netdev_set_rx_hook(file_poll_notify);
    int n = 0;
    for (uint32_t i = 0; i < netdev_count(); i++) {
        nodes[i] = (struct devfs_chr){ netdev_at(i)->name, SECOS_NETRAW_MAJOR << 8 | i, 0600, openers[i] };
        if (devfs_register_chr(&nodes[i]) == 0) n++;
    }
    return n;
}

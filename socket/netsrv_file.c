/* /dev/netsrv: the network server's end of the socket channel (the
 * contract: include/secos/netsrv.h). One holder at a time, and only a
 * process whose manifest grants MANIFEST_FLAG_NET_RAW. Everything written
 * here is untrusted: lib/sockmsg.c checks each message, socket/sock.c
 * checks what it does to a socket. */
#include "socket/netsrv_file.h"
#include "socket/sock.h"
#include "fs/devfs.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "kernel/proc.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/manifest.h"
#include "secos/syscall.h"

#define NETSRV_BUF (64u * 1024u)   /* bytes moved per step of a read or write */

static struct file *holder;

static long ns_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    uint8_t *buf = f->priv;
    if (!user_range_valid(ubuf, len, 1)) return -EFAULT;
    uint32_t cap = len < NETSRV_BUF ? (uint32_t)len : NETSRV_BUF;
    uint64_t fl = irq_save();
    long n;
    for (;;) {
        n = sock_outq_take(buf, cap);
        if (n != 0) break;
        if (f->flags & O_NONBLOCK) { n = -EAGAIN; break; }
        if (sleep_on(sock_outq_chan()) < 0) { n = -EINTR; break; }
    }
    irq_restore(fl);
    if (n > 0 && copy_to_user(ubuf, buf, (uint64_t)n)) return -EFAULT;   /* the messages are lost: the server is broken anyway */
    return n;
}

static long ns_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    uint8_t *buf = f->priv;
    uint64_t done = 0;
    while (done < len) {
        uint32_t n = len - done < NETSRV_BUF ? (uint32_t)(len - done) : NETSRV_BUF;
        if (copy_from_user(buf, ubuf + done, n)) return done ? (long)done : -EFAULT;
        uint32_t pos = 0;
        struct sockmsg m;
        while (pos < n && sockmsg_decode_server(buf + pos, n - pos, &m) == 0) {
            uint64_t fl = irq_save();
            sock_deliver(&m, buf + pos + SECOS_NETSRV_HDR_LEN);
            irq_restore(fl);
            pos += SECOS_NETSRV_HDR_LEN + m.len;
        }
        /* A message cut by the step's end is whole at the next step's start;
         * one that fails there is malformed. */
        if (pos == 0) {
            sock_stats.malformed++;
            return done ? (long)done : -EPROTO;
        }
        done += pos;
    }
    return (long)done;
}

static int ns_poll(struct file *f) {
    (void)f;
    return (sock_outq_pending() ? FILE_POLLIN : 0) | FILE_POLLOUT;
}

static int ns_stat(struct file *f, struct vfs_stat *st) {
    (void)f;
    memset(st, 0, sizeof *st);
    st->type = VFS_CHR;
    st->mode = 0600;
    st->nlink = 1;
    st->rdev = SECOS_NETSRV_MAJOR << 8;
    st->atime = st->mtime = st->ctime = fs_now();
    return 0;
}

static void ns_release(struct file *f) {
    uint64_t fl = irq_save();
    holder = 0;
    sock_server_detach();
    irq_restore(fl);
    kfree(f->priv);
    kprintf("[net] the network server closed /dev/netsrv: every socket fails until it is back\n");
}

static const struct file_ops netsrv_ops = {
    .read = ns_read,
    .write = ns_write,
    .poll = ns_poll,
    .stat = ns_stat,
    .release = ns_release,
};

static struct file *ns_open(int flags, int *err) {
    if (!current || current->is_kernel || !current->has_manifest || !(current->manifest.flags & MANIFEST_FLAG_NET_RAW)) {
        *err = -EPERM;
        return 0;
    }
    if (holder) { *err = -EBUSY; return 0; }
    uint8_t *buf = kmalloc(NETSRV_BUF);
    struct file *f = buf ? file_alloc(&netsrv_ops, flags) : 0;
    if (!f) { kfree(buf); *err = -ENOMEM; return 0; }
    f->priv = buf;
    uint64_t fl = irq_save();
    holder = f;
    sock_server_attach((uint32_t)current->pid);
    irq_restore(fl);
    kprintf("[net] network server pid %d holds /dev/netsrv\n", current->pid);
    return f;
}

static const struct devfs_chr netsrv_node = { "netsrv", SECOS_NETSRV_MAJOR << 8, 0600, ns_open };

int netsrv_file_init(void) { return devfs_register_chr(&netsrv_node); }

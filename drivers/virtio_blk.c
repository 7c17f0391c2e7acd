/* virtio-blk (virtio 1.x, 5.2). One virtqueue, one request in flight per
 * disk (callers queue on a sleep lock). Every DMA buffer is kernel-owned
 * and never reused while the device may still write it: the ring page, a
 * page holding the request header and status byte, and a 512 KiB physically
 * contiguous bounce buffer the data goes through. A request waits asleep
 * for the device's interrupt (the ISR read acknowledges it); before
 * interrupts are on, or when the line could not be registered, it polls.
 * A device that breaks the ring protocol is marked broken and gets no more
 * requests (its buffers are never handed to anything else). */
#include "drivers/virtio_blk.h"
#include "drivers/virtio_pci.h"
#include "drivers/virtq.h"
#include "drivers/pci.h"
#include "block/blockdev.h"
#include "block/partition_scan.h"
#include "kernel/proc.h"
#include "mm/pmm.h"
#include "mm/physmap.h"
#include "arch/x86_64/cpu.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "secos/errno.h"

#define VIRTIO_BLK_F_RO    (1ULL << 5)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)
#define VIRTIO_BLK_T_IN    0
#define VIRTIO_BLK_T_OUT   1
#define VIRTIO_BLK_T_FLUSH 4
#define VBLK_MAX 4
#define BOUNCE_FRAMES 128
#define BOUNCE_SECTORS (BOUNCE_FRAMES * 4096 / 512)
#define QUEUE_SIZE 8
/* Polling gives up after this many checks (about seconds under TCG). */
#define POLL_LIMIT 200000000ULL

struct vblk_hdr { uint32_t type, reserved; uint64_t sector; };

struct vblk {
    struct blockdev bd;
    struct virtio_pci vp;
    struct virtq q;
    uint64_t features;
    uint64_t hdr_pa, bounce_pa;
    struct vblk_hdr *hdr;
    volatile uint8_t *status;        /* in the header's page, offset 64 */
    uint8_t *bounce;
    int irq_ok, busy, broken;
    uint64_t irqs, requests, sleeps;
};

static struct vblk disks[VBLK_MAX];
static int ndisks;

static void vblk_irq(void *arg) {
    struct vblk *v = arg;
    if (virtio_pci_isr(&v->vp) & 1) {
        v->irqs++;
        wakeup(v);
    }
}

/* The disk's sleep lock: one request at a time. */
static void lock(struct vblk *v) {
    uint64_t f = irq_save();
    while (v->busy) {
        if (sleep_on(&v->busy) < 0) { cpu_sti_hlt(); cpu_cli(); }
    }
    v->busy = 1;
    irq_restore(f);
}

static void unlock(struct vblk *v) {
    v->busy = 0;
    wakeup(&v->busy);
}

/* Waits for the one request in flight: 1 done, -1 protocol broken or timeout. */
static int wait_done(struct vblk *v, uint32_t *len) {
    uint64_t f = irq_save();
    int sleep = v->irq_ok && (f & (1u << 9)) && current;
    int r;
    for (uint64_t spins = 0;; spins++) {
        r = virtq_poll(&v->q, len);
        if (r != 0) break;
        if (sleep) {
            /* Interrupts are off from the check to the block: the IRQ's
             * wakeup cannot fall in between. A pending signal must not end
             * the wait (the device still owns the buffers): halt instead. */
            v->sleeps++;
            if (sleep_on(v) < 0) { cpu_sti_hlt(); cpu_cli(); }
        } else {
            if (spins > POLL_LIMIT) { r = -1; break; }
            virtio_pci_isr(&v->vp);      /* keeps a level-triggered line quiet */
            __asm__ volatile("pause");
        }
    }
    irq_restore(f);
    return r;
}

static int request(struct vblk *v, uint32_t type, uint64_t lba, uint32_t count) {
    if (v->broken) return -EIO;
    v->hdr->type = type;
    v->hdr->reserved = 0;
    v->hdr->sector = lba;
    *v->status = 0xff;
    struct virtq_buf bufs[3];
    uint32_t n = 0;
    bufs[n++] = (struct virtq_buf){ v->hdr_pa, sizeof *v->hdr, 0 };
    if (count) bufs[n++] = (struct virtq_buf){ v->bounce_pa, count * 512, type == VIRTIO_BLK_T_IN };
    bufs[n++] = (struct virtq_buf){ v->hdr_pa + 64, 1, 1 };
    if (virtq_submit(&v->q, bufs, n) != 0) return -EIO;
    virtio_pci_notify(&v->vp, 0);
    v->requests++;
    uint32_t len;
    if (wait_done(v, &len) < 0) {
        v->broken = 1;
        kprintf("[VIRTIO] %s: the device broke the queue protocol or stopped answering: disabled\n", v->bd.name);
        return -EIO;
    }
    uint8_t st = *v->status;
    if (st == 0) return 0;
    return st == 2 ? -EOPNOTSUPP : -EIO;
}

static int vblk_io(struct blockdev *d, uint64_t lba, uint32_t count, void *buf, int write) {
    struct vblk *v = d->priv;
    if (count == 0 || lba > d->sectors || count > d->sectors - lba) return -EINVAL;
    if (write && d->readonly) return -EROFS;
    lock(v);
    int r = 0;
    uint8_t *p = buf;
    while (count && r == 0) {
        uint32_t n = count < BOUNCE_SECTORS ? count : BOUNCE_SECTORS;
        if (write) memcpy(v->bounce, p, (size_t)n * 512);
        r = request(v, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, lba, n);
        if (r == 0 && !write) memcpy(p, v->bounce, (size_t)n * 512);
        p += (size_t)n * 512;
        lba += n;
        count -= n;
    }
    unlock(v);
    return r;
}

static int vblk_read(struct blockdev *d, uint64_t lba, uint32_t count, void *buf) { return vblk_io(d, lba, count, buf, 0); }
static int vblk_write(struct blockdev *d, uint64_t lba, uint32_t count, const void *buf) {
    return vblk_io(d, lba, count, (void *)buf, 1);
}

static int vblk_flush(struct blockdev *d) {
    struct vblk *v = d->priv;
    if (!(v->features & VIRTIO_BLK_F_FLUSH) || d->readonly) return 0;
    lock(v);
    int r = request(v, VIRTIO_BLK_T_FLUSH, 0, 0);
    unlock(v);
    return r;
}

static const struct blockdev_ops vblk_ops = { vblk_read, vblk_write, vblk_flush };

static uint64_t read_capacity(struct virtio_pci *vp) {
    if (vp->device_len < 8) return 0;
    volatile uint8_t *common_gen = vp->common + 21;
    uint64_t cap;
    uint8_t g;
    do {
        g = *common_gen;
        cap = *(volatile uint32_t *)vp->device | (uint64_t)*(volatile uint32_t *)(vp->device + 4) << 32;
    } while (g != *common_gen);
    return cap;
}

static int probe(const struct pci_dev *d) {
    if (ndisks == VBLK_MAX) return -ENOSPC;
    struct vblk *v = &disks[ndisks];
    const char *why = "";
    if (virtio_pci_probe(&v->vp, d, &why) != 0) {
        kprintf("[VIRTIO] %02x:%02x.%x: %s\n", d->bus, d->dev, d->fn, why);
        return -ENODEV;
    }
    v->features = virtio_pci_negotiate(&v->vp, VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH);
    if (!v->features) {
        kprintf("[VIRTIO] %02x:%02x.%x: feature negotiation failed\n", d->bus, d->dev, d->fn);
        return -ENODEV;
    }
    uint64_t ring = pmm_alloc_zeroed(), hdr = pmm_alloc_zeroed();
    uint64_t bounce = pmm_alloc_contig(BOUNCE_FRAMES, 1, 0);
    if (!ring || !hdr || !bounce) goto nomem;
    uint16_t qs = virtio_pci_queue_size(&v->vp, 0, QUEUE_SIZE);
    if (qs == 0 || virtq_init(&v->q, phys_to_virt(ring), qs) != 0 ||
        virtio_pci_enable_queue(&v->vp, 0, qs, ring, ring + virtq_avail_off(qs), ring + VIRTQ_USED_OFF) != 0) {
        virtio_pci_fail(&v->vp);
        kprintf("[VIRTIO] %02x:%02x.%x: queue 0 could not be set up\n", d->bus, d->dev, d->fn);
        pmm_free(ring); pmm_free(hdr); pmm_free_contig(bounce, BOUNCE_FRAMES);
        return -ENODEV;
    }
    v->hdr_pa = hdr;
    v->hdr = phys_to_virt(hdr);
    v->status = (volatile uint8_t *)phys_to_virt(hdr + 64);
    v->bounce_pa = bounce;
    v->bounce = phys_to_virt(bounce);
    uint64_t cap = read_capacity(&v->vp);
    if (cap == 0 || cap >= (1ULL << 54)) {
        virtio_pci_fail(&v->vp);
        kprintf("[VIRTIO] %02x:%02x.%x: capacity %lu sectors refused\n", d->bus, d->dev, d->fn, cap);
        return -ENODEV;   /* its frames stay with it: the device was told about the ring */
    }
    v->irq_ok = pci_irq_register(d, vblk_irq, v) == 0;
    virtio_pci_driver_ok(&v->vp);
    v->bd.name[0] = 'v'; v->bd.name[1] = 'd'; v->bd.name[2] = (char)('a' + ndisks); v->bd.name[3] = 0;
    v->bd.sector_size = 512;
    v->bd.sectors = cap;
    v->bd.readonly = (v->features & VIRTIO_BLK_F_RO) != 0;
    v->bd.ops = &vblk_ops;
    v->bd.priv = v;
    v->bd.driver = "virtio-blk";
    if (blockdev_register(&v->bd) != 0) return -EEXIST;
    ndisks++;
    kprintf("[VIRTIO] %s: %lu sectors (%lu MiB)%s%s, irq %s\n", v->bd.name, cap, cap >> 11,
            v->bd.readonly ? ", read-only" : "", (v->features & VIRTIO_BLK_F_FLUSH) ? ", flush" : "",
            v->irq_ok ? "on" : "off (polling)");
    partition_scan(&v->bd);
    return 0;
nomem:
    if (ring) pmm_free(ring);
    if (hdr) pmm_free(hdr);
    virtio_pci_fail(&v->vp);
    kprintf("[VIRTIO] %02x:%02x.%x: out of memory\n", d->bus, d->dev, d->fn);
    return -ENOMEM;
}

int virtio_blk_init(void) {
    /* 0x1001: transitional (legacy + modern); 0x1042: modern only. */
    static const uint16_t ids[] = { 0x1001, 0x1042 };
    for (unsigned k = 0; k < 2; k++)
        for (uint32_t n = 0;; n++) {
            const struct pci_dev *d = pci_find_id(0x1af4, ids[k], n);
            if (!d) break;
            probe(d);
        }
    return ndisks;
}

int virtio_blk_stat(uint32_t i, struct virtio_blk_stats *out) {
    if (i >= (uint32_t)ndisks) return -1;
    const struct vblk *v = &disks[i];
    *out = (struct virtio_blk_stats){ v->bd.name, v->requests, v->irqs, v->sleeps, v->irq_ok, v->broken };
    return 0;
}

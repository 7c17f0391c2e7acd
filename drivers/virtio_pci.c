/* virtio 1.x over PCI. Every capability's window is checked against its
 * BAR's size before it is mapped; a device whose structures do not fit is
 * refused. */
#include "drivers/virtio_pci.h"
#include "secos/errno.h"

#define PCI_CAP_VENDOR 0x09
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR    3
#define CFG_DEVICE 4

/* Common configuration (4.1.4.3). */
#define C_DFSELECT 0
#define C_DF       4
#define C_GFSELECT 8
#define C_GF       12
#define C_NUMQ     18
#define C_STATUS   20
#define C_QSELECT  22
#define C_QSIZE    24
#define C_QMSIX    26
#define C_QENABLE  28
#define C_QNOTIFY  30
#define C_QDESC    32
#define C_QAVAIL   40
#define C_QUSED    48

static volatile uint32_t *r32(volatile uint8_t *b, uint32_t off) { return (volatile uint32_t *)(b + off); }
static volatile uint16_t *r16(volatile uint8_t *b, uint32_t off) { return (volatile uint16_t *)(b + off); }

/* 64-bit fields as two 32-bit stores: every device must take those (4.1.3.1). */
static void put64(volatile uint8_t *b, uint32_t off, uint64_t v) {
    *r32(b, off) = (uint32_t)v;
    *r32(b, off + 4) = (uint32_t)(v >> 32);
}

static volatile uint8_t *map_cap(const struct pci_dev *d, uint8_t cap, uint32_t min_len, uint32_t *len_out) {
    uint8_t bar = pci_read8(d, (uint16_t)(cap + 4));
    uint32_t off = pci_read32(d, (uint16_t)(cap + 8)), len = pci_read32(d, (uint16_t)(cap + 12));
    if (bar > 5 || d->bar_is_io[bar] || len < min_len || (uint64_t)off + len > d->bar_size[bar]) return 0;
    volatile uint8_t *base = pci_map_bar(d, bar);
    if (!base) return 0;
    if (len_out) *len_out = len;
    return base + off;
}

int virtio_pci_probe(struct virtio_pci *v, const struct pci_dev *d, const char **why) {
    v->pci = d;
    v->common = v->isr = v->device = v->notify = 0;
    for (uint8_t cap = pci_find_cap(d, PCI_CAP_VENDOR, 0); cap; cap = pci_find_cap(d, PCI_CAP_VENDOR, cap)) {
        uint8_t type = pci_read8(d, (uint16_t)(cap + 3)), cap_len = pci_read8(d, (uint16_t)(cap + 2));
        if (cap_len < 16) continue;
        /* The first capability of each type is the one to use (4.1.4). */
        if (type == CFG_COMMON && !v->common) v->common = map_cap(d, cap, 56, 0);
        else if (type == CFG_ISR && !v->isr) v->isr = map_cap(d, cap, 1, 0);
        else if (type == CFG_DEVICE && !v->device) v->device = map_cap(d, cap, 1, &v->device_len);
        else if (type == CFG_NOTIFY && !v->notify && cap_len >= 20) {
            v->notify = map_cap(d, cap, 2, &v->notify_len);
            v->notify_mult = pci_read32(d, (uint16_t)(cap + 16));
        }
    }
    if (!v->common || !v->isr || !v->device || !v->notify) {
        *why = "no usable virtio 1.x capabilities (legacy-only device?)";
        return -ENODEV;
    }
    pci_enable(d, 1);
    return 0;
}

uint8_t virtio_pci_status(struct virtio_pci *v) { return v->common[C_STATUS]; }

uint64_t virtio_pci_negotiate(struct virtio_pci *v, uint64_t wanted) {
    v->common[C_STATUS] = 0;                         /* reset; reads 0 when done */
    for (int i = 0; i < 1000000 && v->common[C_STATUS]; i++) __asm__ volatile("pause");
    v->common[C_STATUS] = VIRTIO_STATUS_ACK;
    v->common[C_STATUS] = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER;
    *r32(v->common, C_DFSELECT) = 0;
    uint64_t dev = *r32(v->common, C_DF);
    *r32(v->common, C_DFSELECT) = 1;
    dev |= (uint64_t)*r32(v->common, C_DF) << 32;
    uint64_t got = dev & wanted;
    if (!(got & VIRTIO_F_VERSION_1)) { virtio_pci_fail(v); return 0; }
    *r32(v->common, C_GFSELECT) = 0;
    *r32(v->common, C_GF) = (uint32_t)got;
    *r32(v->common, C_GFSELECT) = 1;
    *r32(v->common, C_GF) = (uint32_t)(got >> 32);
    v->common[C_STATUS] = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
    if (!(v->common[C_STATUS] & VIRTIO_STATUS_FEATURES_OK)) { virtio_pci_fail(v); return 0; }
    return got;
}

uint16_t virtio_pci_queue_size(struct virtio_pci *v, uint16_t q, uint16_t max_size) {
    if (q >= VIRTIO_PCI_MAX_QUEUES || q >= *r16(v->common, C_NUMQ)) return 0;
    *r16(v->common, C_QSELECT) = q;
    uint16_t dev_max = *r16(v->common, C_QSIZE);
    if (dev_max == 0 || *r16(v->common, C_QENABLE)) return 0;
    uint16_t size = max_size;
    while (size > dev_max) size >>= 1;   /* a power of two the device takes */
    if (size < 2) return 0;
    uint64_t noff = (uint64_t)*r16(v->common, C_QNOTIFY) * v->notify_mult;
    if (noff + 2 > v->notify_len) return 0;
    v->notify_off = (uint32_t)noff;
    v->queue_notify_off[q] = (uint32_t)noff;
    *r16(v->common, C_QSIZE) = size;
    return size;
}

int virtio_pci_enable_queue(struct virtio_pci *v, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
                            uint64_t used) {
    *r16(v->common, C_QSELECT) = q;
    if (*r16(v->common, C_QSIZE) != size) return -EINVAL;
    *r16(v->common, C_QMSIX) = 0xffff;   /* no MSI-X: INTx and the ISR */
    put64(v->common, C_QDESC, desc);
    put64(v->common, C_QAVAIL, avail);
    put64(v->common, C_QUSED, used);
    *r16(v->common, C_QENABLE) = 1;
    return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *v) { v->common[C_STATUS] |= VIRTIO_STATUS_DRIVER_OK; }
void virtio_pci_fail(struct virtio_pci *v) { v->common[C_STATUS] |= VIRTIO_STATUS_FAILED; }

void virtio_pci_notify(struct virtio_pci *v, uint16_t q) { *r16(v->notify, v->notify_off) = q; }

void virtio_pci_notify_queue(struct virtio_pci *v, uint16_t q) {
    if (q < VIRTIO_PCI_MAX_QUEUES) *r16(v->notify, v->queue_notify_off[q]) = q;
}

uint8_t virtio_pci_isr(struct virtio_pci *v) { return *v->isr; }

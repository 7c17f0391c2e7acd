/* virtio-blk over the virtio 1.x PCI transport: each device found becomes
 * a struct blockdev vda, vdb, ... (512-byte sectors), its partitions
 * vda1, ... */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H
#include <stdint.h>

/* Probes every virtio-blk PCI function: the number of disks registered.
 * Needs pci_init() done; runs with interrupts on or off (off: it polls). */
int virtio_blk_init(void);

struct virtio_blk_stats {
    const char *name;
    uint64_t requests, irqs, sleeps;   /* sleeps: waits that blocked until the interrupt */
    int irq_on;                        /* 0: the line could not be had, requests poll */
    int broken;                        /* the device broke the queue protocol: disabled */
};
/* Disk i (0..): 0 and *out filled, or -1 past the last. */
int virtio_blk_stat(uint32_t i, struct virtio_blk_stats *out);

#endif

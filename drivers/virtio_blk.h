/* virtio-blk over the virtio 1.x PCI transport: each device found becomes
 * a struct blockdev vda, vdb, ... (512-byte sectors), its partitions
 * vda1, ... */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H

/* Probes every virtio-blk PCI function: the number of disks registered.
 * Needs pci_init() done; runs with interrupts on or off (off: it polls). */
int virtio_blk_init(void);

#endif

/* The virtio 1.x PCI transport (virtio spec 4.1): the vendor capabilities
 * that locate the common, notify, ISR and device configuration structures
 * in the device's memory BARs, status and feature negotiation, queue setup
 * and notification. Legacy (0.9.5) devices without these capabilities are
 * refused: they would need the I/O-port interface. */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H
#include <stdint.h>
#include "drivers/pci.h"

#define VIRTIO_STATUS_ACK         1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED      128
#define VIRTIO_F_VERSION_1        (1ULL << 32)
#define VIRTIO_PCI_MAX_QUEUES     4

struct virtio_pci {
    const struct pci_dev *pci;
    volatile uint8_t *common, *isr, *device;
    volatile uint8_t *notify;
    uint32_t notify_mult, notify_len;
    uint32_t notify_off;      /* the queue set up last: its notify address, inside notify_len */
    uint32_t queue_notify_off[VIRTIO_PCI_MAX_QUEUES];   /* per queue, for devices with several */
    uint32_t device_len;      /* bytes of device configuration mapped */
};

/* Finds and maps the structures: 0, or -ENODEV with *why. */
int virtio_pci_probe(struct virtio_pci *v, const struct pci_dev *d, const char **why);
/* Reset, ACK|DRIVER, then offers `wanted` & device features (VERSION_1
 * required): the features accepted, or 0 when the device refused them
 * (FAILED is then set). */
uint64_t virtio_pci_negotiate(struct virtio_pci *v, uint64_t wanted);
/* Selects queue q (< VIRTIO_PCI_MAX_QUEUES) and sets its size to the largest power of two <=
 * max_size the device takes: that size, or 0 (no such queue, already
 * enabled, or its notify address lies outside the notify structure). */
uint16_t virtio_pci_queue_size(struct virtio_pci *v, uint16_t q, uint16_t max_size);
/* Gives the selected queue its rings (physical addresses) and enables it. */
int virtio_pci_enable_queue(struct virtio_pci *v, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
                            uint64_t used);
void virtio_pci_driver_ok(struct virtio_pci *v);
void virtio_pci_fail(struct virtio_pci *v);
void virtio_pci_notify(struct virtio_pci *v, uint16_t q);   /* the queue set up last */
/* Notifies queue q (< VIRTIO_PCI_MAX_QUEUES, set up by virtio_pci_queue_size). */
void virtio_pci_notify_queue(struct virtio_pci *v, uint16_t q);
/* Reads (and so acknowledges) the ISR status: bit 0 queue, bit 1 config. */
uint8_t virtio_pci_isr(struct virtio_pci *v);
uint8_t virtio_pci_status(struct virtio_pci *v);

#endif

/* AHCI SATA controllers (drivers/ahci.c; q35's ICH9): disks as sda, sdb, ...
 * and ATAPI drives as sr0, sr1, ... (read-only, 2048-byte sectors), in
 * controller and port order. */
#ifndef DRIVERS_AHCI_H
#define DRIVERS_AHCI_H
#include <stdint.h>

/* Finds every PCI function of class 01:06:01, resets and starts it, and
 * registers the devices on its ports: how many were registered. Needs
 * pci_init() done, interrupts on and the tick running (bounded waits). */
int ahci_init(void);

/* Completed commands, failed ones (task-file or interface errors), timeouts,
 * port recoveries after either, and DMA buffers retired after a timeout. */
struct ahci_stats { uint64_t commands, errors, timeouts, recoveries, retired; };
extern struct ahci_stats ahci_stats;

#endif

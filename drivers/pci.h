/* PCI: the devices found at boot (legacy configuration ports 0xCF8/0xCFC,
 * or ECAM when ACPI's MCFG table gives one, as on q35), their BARs, and the
 * few configuration-space operations drivers need. Drivers look a device up
 * here and never touch the configuration mechanism themselves.
 *
 * Invariants: the table is filled once by pci_init() before any driver
 * starts and never changes afterwards; pointers into it stay valid forever.
 * BAR sizes are probed once, with decoding off, before any driver runs. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H
#include <stdint.h>

#define PCI_MAX_DEVICES 64

struct pci_dev {
    uint16_t segment;
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t irq_line;        /* legacy INTx as the firmware routed it (PIC IRQ), 0xff = none */
    uint8_t irq_pin;         /* 1..4 = INTA..INTD, 0 = none */
    uint64_t bar[6];         /* base address (memory or port); a 64-bit BAR fills bar[i], bar[i+1] = 0 */
    uint64_t bar_size[6];    /* bytes, 0 = not implemented */
    uint8_t bar_is_io[6];    /* 1: I/O ports, 0: memory */
};

/* Enumerates every bus once (idempotent): the number of functions found. */
int pci_init(void);
uint32_t pci_count(void);
const struct pci_dev *pci_at(uint32_t index);   /* 0 past the end */
/* The nth (0..) function with that class/subclass (prog_if 0xff = any), or
 * with that vendor/device id: 0 when there is none. */
const struct pci_dev *pci_find_class(uint8_t class_code, uint8_t subclass, uint8_t prog_if, uint32_t nth);
const struct pci_dev *pci_find_id(uint16_t vendor, uint16_t device, uint32_t nth);

/* Configuration space of d (off < 256 for legacy, < 4096 with ECAM). */
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v);

/* Turns on memory and I/O decoding, and bus mastering when asked (a device
 * that does DMA needs it; nothing else gets it). */
void pci_enable(const struct pci_dev *d, int bus_master);
/* Sets the command register's Interrupt Disable bit: for a device a driver
 * polls, whose INTx must never hold a shared level-triggered line. */
void pci_intx_disable(const struct pci_dev *d);
/* Offset of the first capability with that id at or after the one at
 * `after` (0: from the start of the list), or 0 when there is none. The
 * walk is bounded: a looping list ends it. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t cap_id, uint8_t after);
/* A memory BAR mapped uncached into the kernel's address space (kernel
 * virtual address), or 0 for an I/O or absent BAR or when mapping fails. */
volatile void *pci_map_bar(const struct pci_dev *d, int bar);
/* Calls fn(arg) on every interrupt of d's legacy INTx line. Lines are
 * shared (level-triggered on q35 and pc): every handler registered on a line
 * runs on each of its interrupts and must check its own device's status.
 * 0, -ENODEV (no line routed), -ENOSPC (too many handlers), -EBUSY (one of
 * the lines the kernel's own ISA devices use: 0 PIT, 1 keyboard, 2 cascade,
 * 4 COM1), -EINVAL (no device or function). */
int pci_irq_register(const struct pci_dev *d, void (*fn)(void *arg), void *arg);
/* "vendor:device class name" for lspci, e.g. "mass storage / SATA (AHCI)". */
const char *pci_class_name(uint8_t class_code, uint8_t subclass, uint8_t prog_if);

#endif

/* Finding PCI Express ECAM in ACPI: RSDP -> XSDT (or RSDT) -> MCFG, every
 * table checked (signature, length, checksum) before a byte of it is used.
 * Pure: memory is reached only through the caller's reader, so host tests
 * and the fuzzer hand in buffers. */
#ifndef DRIVERS_PCI_ACPI_H
#define DRIVERS_PCI_ACPI_H
#include <stdint.h>

/* len bytes at physical pa, or 0 when that range cannot be read. */
typedef const void *(*acpi_reader)(uint64_t pa, uint64_t len);

struct pci_ecam_info {
    uint64_t base;              /* physical address of bus 0's configuration space */
    uint8_t start_bus, end_bus; /* decoded buses, start <= end */
};

/* Longest table accepted: real RSDTs, XSDTs and MCFGs are a few hundred bytes. */
#define ACPI_TABLE_MAX (64u * 1024)

/* rsdp: the 36 bytes the loader handed over (a v1 RSDP uses the first 20).
 * 0 and *out filled for segment group 0, or -1 with *why set: no usable
 * ECAM (the caller falls back to the legacy ports). */
int acpi_find_ecam(const uint8_t rsdp[36], acpi_reader read, struct pci_ecam_info *out, const char **why);

/* Legacy BIOS search for the RSDP when the loader gave none (Multiboot 1):
 * the first KiB of the EBDA, then 0xE0000-0xFFFFF, on 16-byte boundaries;
 * the first candidate with a valid checksum is copied to out: 0, or -1. */
int acpi_scan_rsdp(acpi_reader read, uint8_t out[36]);

#endif

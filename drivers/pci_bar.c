/* BAR decoding (PCI Local Bus 3.0, 6.2.5.1): bit 0 = I/O; memory bits 2:1
 * = type (0 32-bit, 2 64-bit), bit 3 = prefetchable. The size is the two's
 * complement of the writable address bits; a size that is not a power of
 * two or a base not aligned to it cannot come from real hardware and is
 * treated as not implemented. */
#include "drivers/pci_bar.h"

static int pow2(uint64_t x) { return x && !(x & (x - 1)); }

int pci_bar_decode(uint32_t lo, uint32_t lo_probe, int has_hi, uint32_t hi, uint32_t hi_probe,
                   struct pci_bar_info *out) {
    out->base = out->size = 0;
    out->is_io = out->is_64 = out->prefetchable = 0;
    if (lo & 1) {
        out->is_io = 1;
        uint32_t mask = lo_probe & 0xfffcu;   /* x86 I/O space is 16 bits wide */
        uint64_t size = mask ? ((~mask + 1u) & 0xffffu) : 0;
        if (mask && !size) size = 0x10000;
        out->base = lo & 0xfffcu;
        if (size && pow2(size) && !(out->base & (size - 1))) out->size = size;
        return 1;
    }
    uint32_t type = (lo >> 1) & 3;
    out->prefetchable = (lo >> 3) & 1;
    if (type == 2) {
        out->is_64 = 1;
        if (!has_hi) return 1;
        uint64_t mask = ((uint64_t)hi_probe << 32) | (lo_probe & ~0xfu);
        uint64_t base = ((uint64_t)hi << 32) | (lo & ~0xfu);
        uint64_t size = mask ? ~mask + 1 : 0;
        out->base = base;
        if (size && pow2(size) && !(base & (size - 1))) out->size = size;
        return 2;
    }
    uint32_t mask = lo_probe & ~0xfu;
    uint64_t size = mask ? (uint64_t)(uint32_t)(~mask + 1u) : 0;
    if (mask && !size) size = 1ULL << 32;
    out->base = lo & ~0xfu;
    if (size && pow2(size) && !(out->base & (size - 1))) out->size = size;
    return 1;
}

/* Decoding a BAR from the value the firmware left and the value read back
 * after writing all ones (the size probe). Pure. */
#ifndef DRIVERS_PCI_BAR_H
#define DRIVERS_PCI_BAR_H
#include <stdint.h>

struct pci_bar_info {
    uint64_t base, size;   /* size 0: not implemented */
    uint8_t is_io, is_64, prefetchable;
};

/* lo/lo_probe: the BAR; hi/hi_probe: the next one (used only when lo says
 * 64-bit; pass has_hi 0 when lo is the last BAR, and a 64-bit BAR there is
 * not implemented). Returns the BAR slots it spans: 1, or 2 for 64-bit. */
int pci_bar_decode(uint32_t lo, uint32_t lo_probe, int has_hi, uint32_t hi, uint32_t hi_probe,
                   struct pci_bar_info *out);

#endif

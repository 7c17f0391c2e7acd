/* Fuzzes drivers/pci_acpi.c: the input is a fake physical memory of up to
 * 64 KiB at 0x10000 whose first 36 bytes are the RSDP; every table address
 * the walk follows is read through a reader bounded to the input, so ASan
 * catches any read of a range the parser did not check. A found ECAM must be
 * 1 MiB aligned with start <= end. Then the BIOS scan over the same bytes,
 * and the BAR decoder on the first 16 bytes. */
#include "tests/fuzz/fuzz.h"
#include "drivers/pci_acpi.h"
#include "drivers/pci_bar.h"

#define BASE 0x10000u
static const uint8_t *mem;
static size_t mem_len;

static const void *reader(uint64_t pa, uint64_t len) {
    if (pa < BASE || pa - BASE > mem_len || len > mem_len - (pa - BASE)) return 0;
    return mem + (pa - BASE);
}

/* For the scan: 0xE0000.. maps onto the input too. */
static const void *bios_reader(uint64_t pa, uint64_t len) {
    if (pa >= 0xe0000 && pa - 0xe0000 <= mem_len && len <= mem_len - (pa - 0xe0000)) return mem + (pa - 0xe0000);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 36 || size > 65536) return 0;
    uint8_t *copy = malloc(size);
    CHECK(copy);
    memcpy(copy, data, size);
    mem = copy;
    mem_len = size;
    struct pci_ecam_info e;
    const char *why = 0;
    if (acpi_find_ecam(copy, reader, &e, &why) == 0) {
        CHECK((e.base & 0xfffff) == 0 && e.base != 0 && e.start_bus <= e.end_bus);
    } else {
        CHECK(why != 0);
    }
    uint8_t out[36];
    if (acpi_scan_rsdp(bios_reader, out) == 0) CHECK(memcmp(out, "RSD PTR ", 8) == 0);
    struct pci_bar_info b;
    uint32_t w[4];
    memcpy(w, data, 16);
    int n = pci_bar_decode(w[0], w[1], w[0] & 1, w[2], w[3], &b);
    CHECK(n == 1 || n == 2);
    if (b.size) CHECK((b.size & (b.size - 1)) == 0 && (b.base & (b.size - 1)) == 0);
    free(copy);
    return 0;
}

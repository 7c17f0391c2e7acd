/* Translation of the UEFI memory map into SECoS's boot-info form.
 *
 * Pure C (no EFI headers) so the host unit test can feed it hand-made maps.
 * It runs after ExitBootServices, so it must not allocate or print.
 */
#ifndef UEFI_MMAP_CONVERT_H
#define UEFI_MMAP_CONVERT_H

#include <stdint.h>
#include "secos/boot_info.h"

/* EFI_MEMORY_TYPE values from the UEFI specification. */
enum {
    UEFI_RESERVED = 0, UEFI_LOADER_CODE, UEFI_LOADER_DATA,
    UEFI_BOOT_CODE, UEFI_BOOT_DATA, UEFI_RUNTIME_CODE, UEFI_RUNTIME_DATA,
    UEFI_CONVENTIONAL, UEFI_UNUSABLE, UEFI_ACPI_RECLAIM, UEFI_ACPI_NVS,
    UEFI_MMIO, UEFI_MMIO_PORT, UEFI_PAL_CODE, UEFI_PERSISTENT,
};

/* Layout of EFI_MEMORY_DESCRIPTOR. The firmware's entries are DescriptorSize
 * bytes apart, which may be larger than this struct: never index an array of it. */
struct uefi_mem_desc {
    uint32_t type;
    uint32_t pad;
    uint64_t phys_start;
    uint64_t virt_start;
    uint64_t num_pages;   /* 4 KiB pages */
    uint64_t attribute;
};

uint32_t mmap_translate_type(uint32_t efi_type);

/* Convert map_size bytes of descriptors (desc_size apart) into out[0..cap).
 * [kbase, kbase+ksize) is carved out as SECOS_MEM_KERNEL. The result is
 * sorted by base, zero-length entries are dropped and touching entries of
 * equal type are merged. Returns the entry count, or -1 if desc_size is too
 * small or cap is exceeded (cap = descriptors + 2 is always enough). */
int mmap_convert(const void *map, uint64_t map_size, uint64_t desc_size,
                 uint64_t kbase, uint64_t ksize,
                 struct secos_mmap_entry *out, uint32_t cap);

#endif

/* UEFI memory map -> struct secos_mmap_entry[]. See mmap_convert.h. */
#include "uefi/mmap_convert.h"

uint32_t mmap_translate_type(uint32_t t)
{
    switch (t) {
    case UEFI_CONVENTIONAL:
        return SECOS_MEM_USABLE;
    case UEFI_LOADER_CODE:
    case UEFI_LOADER_DATA:
    case UEFI_BOOT_CODE:
    case UEFI_BOOT_DATA:
        /* Free once the kernel has copied the boot info out and stopped
         * using the loader's page tables and stack. */
        return SECOS_MEM_LOADER;
    case UEFI_ACPI_RECLAIM:
        return SECOS_MEM_ACPI_RECLAIM;
    case UEFI_ACPI_NVS:
        return SECOS_MEM_ACPI_NVS;
    case UEFI_UNUSABLE:
        return SECOS_MEM_BAD;
    case UEFI_RUNTIME_CODE:
    case UEFI_RUNTIME_DATA:
        return SECOS_MEM_FIRMWARE;
    default: /* reserved, MMIO, PAL code, persistent, OEM/OS ranges... */
        return SECOS_MEM_RESERVED;
    }
}

static int push(struct secos_mmap_entry *out, uint32_t cap, uint32_t *n,
                uint64_t base, uint64_t end, uint32_t type)
{
    if (end <= base)
        return 0;
    if (*n >= cap)
        return -1;
    out[*n].base = base;
    out[*n].length = end - base;
    out[*n].type = type;
    out[*n].reserved = 0;
    (*n)++;
    return 0;
}

int mmap_convert(const void *map, uint64_t map_size, uint64_t desc_size,
                 uint64_t kbase, uint64_t ksize,
                 struct secos_mmap_entry *out, uint32_t cap)
{
    const uint8_t *p = map;
    uint64_t kend = kbase + ksize;
    uint32_t n = 0;

    if (desc_size < sizeof(struct uefi_mem_desc))
        return -1;
    for (uint64_t off = 0; off <= map_size && map_size - off >= desc_size; off += desc_size) {
        struct uefi_mem_desc d;
        /* Byte copy: desc_size need not keep the entries 8-byte aligned. */
        for (uint32_t i = 0; i < sizeof(d); i++)
            ((uint8_t *)&d)[i] = p[off + i];

        uint64_t s = d.phys_start, e;
        if (d.num_pages > (UINT64_MAX - s) / 4096)
            e = UINT64_MAX & ~4095ULL; /* nonsense size: clip rather than wrap */
        else
            e = s + d.num_pages * 4096;
        uint32_t t = mmap_translate_type(d.type);

        /* Split around the kernel: [s, kbase) t, [kbase, kend) KERNEL, [kend, e) t. */
        if (ksize && s < kend && kbase < e) {
            if (push(out, cap, &n, s, kbase, t) ||
                push(out, cap, &n, s > kbase ? s : kbase, e < kend ? e : kend, SECOS_MEM_KERNEL) ||
                push(out, cap, &n, kend, e, t))
                return -1;
        } else if (push(out, cap, &n, s, e, t)) {
            return -1;
        }
    }

    /* The spec does not promise a sorted map. Insertion sort: a few hundred
     * entries at most, and no allocator to lean on here. */
    for (uint32_t i = 1; i < n; i++) {
        struct secos_mmap_entry x = out[i];
        uint32_t j = i;
        while (j > 0 && out[j - 1].base > x.base) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }

    /* Merge touching entries of the same type. */
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (m > 0 && out[m - 1].type == out[i].type &&
            out[m - 1].base + out[m - 1].length == out[i].base)
            out[m - 1].length += out[i].length;
        else
            out[m++] = out[i];
    }
    return (int)m;
}

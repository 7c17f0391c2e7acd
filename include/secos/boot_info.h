/* The hand-off contract between SECoS's own UEFI loader and the kernel.
 *
 * The loader fills one struct secos_boot_info and jumps to _uefi_start with a
 * pointer to it in RDI (the kernel then calls kernel_main(0, info)). The
 * Multiboot paths never see this structure directly: kernel_main normalises
 * Multiboot 1/2 information into the same kernel-side form (struct boot_info).
 *
 * Every address here is PHYSICAL. The loader keeps everything it points to in
 * memory it reports as SECOS_MEM_LOADER, so the kernel can copy it out before
 * it reuses those frames. Shared by uefi/ and the kernel: keep it free of
 * anything but fixed-width types.
 */
#ifndef SECOS_BOOT_INFO_H
#define SECOS_BOOT_INFO_H

#include <stdint.h>

#define SECOS_BOOT_INFO_MAGIC   0x3149424f43455353ULL /* "SSECOBI1" little-endian */
#define SECOS_BOOT_INFO_VERSION 2

/* The 8 bytes right before the kernel's 64-bit UEFI entry (_uefi_start):
 * the loader jumps only to an entry that carries them, so a kernel.elf whose
 * entry is some other code (the 32-bit Multiboot entry, say) is refused with
 * a message instead of crashing silently after ExitBootServices. */
#define SECOS_UEFI_ENTRY_SIGNATURE "SECoS64E"
#define SECOS_UEFI_ENTRY_SIGNATURE_LEN 8

/* Virtual address the kernel image is linked at (its lowest PT_LOAD vaddr). */
#define SECOS_KERNEL_LINK_BASE  0xffffffff80100000ULL

/* Memory types, already translated from the firmware's own vocabulary. */
enum secos_mem_type {
    SECOS_MEM_USABLE       = 1, /* free RAM */
    SECOS_MEM_RESERVED     = 2, /* never touch */
    SECOS_MEM_ACPI_RECLAIM = 3, /* ACPI tables; reusable once parsed */
    SECOS_MEM_ACPI_NVS     = 4, /* firmware keeps using it */
    SECOS_MEM_BAD          = 5,
    SECOS_MEM_LOADER       = 6, /* loader data + UEFI boot services: reclaimable after boot */
    SECOS_MEM_KERNEL       = 7, /* the kernel image */
    SECOS_MEM_FIRMWARE     = 8, /* UEFI runtime services code/data */
};

struct secos_mmap_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;   /* enum secos_mem_type */
    uint32_t reserved;
};

enum secos_fb_type {
    SECOS_FB_NONE     = 0,
    SECOS_FB_RGB      = 1, /* linear framebuffer, direct colour */
    SECOS_FB_EGA_TEXT = 2, /* VGA text mode at 0xB8000 */
};

struct secos_framebuffer {
    uint64_t addr;      /* physical */
    uint32_t width;     /* pixels (or columns for EGA text) */
    uint32_t height;    /* pixels (or rows) */
    uint32_t pitch;     /* bytes per scan line */
    uint8_t  bpp;       /* bits per pixel */
    uint8_t  type;      /* enum secos_fb_type */
    uint8_t  red_pos, red_size;
    uint8_t  green_pos, green_size;
    uint8_t  blue_pos, blue_size;
};

struct secos_boot_info {
    uint64_t magic;            /* SECOS_BOOT_INFO_MAGIC */
    uint32_t version;          /* SECOS_BOOT_INFO_VERSION */
    uint32_t size;             /* sizeof(struct secos_boot_info) as the loader saw it */
    uint64_t kernel_phys_base; /* physical address of SECOS_KERNEL_LINK_BASE */
    uint64_t kernel_phys_size; /* bytes allocated for the image, bss included */
    uint64_t mmap_addr;        /* physical address of struct secos_mmap_entry[] */
    uint32_t mmap_count;
    uint32_t reserved0;
    struct secos_framebuffer fb;
    uint64_t rsdp_addr;        /* ACPI RSDP (2.0 preferred), 0 if none */
    uint64_t cmdline_addr;     /* NUL-terminated ASCII, 0 if none */
    uint64_t initrd_addr;      /* optional initrd image, 0 if none */
    uint64_t initrd_size;
    uint64_t loader_name_addr; /* NUL-terminated ASCII */
    /* Randomness the loader got from the firmware (EFI_RNG_PROTOCOL) for the
     * kernel's random pool; rng_seed_len 0 means the firmware had none. The
     * loader wipes its own copy; the kernel wipes this one once absorbed. */
    uint8_t  rng_seed[32];
    uint32_t rng_seed_len;     /* 0..32 */
    uint32_t reserved1;
    /* KASLR: the loader mapped the image at SECOS_KERNEL_LINK_BASE +
     * kernel_slide and applied the image's relocations; 0 = not slid.
     * Always a multiple of 2 MiB. */
    uint64_t kernel_slide;
    /* Which volume the loader came from: the SHA-256 of the first 512 bytes
     * of the EFI_BLOCK_IO device under the loaded image (the ESP), so the
     * kernel can find the same volume among its block devices and mount it
     * at /boot/efi. esp_id_valid: 1 = esp_id holds the hash, 0 = the loader
     * could not read the volume. A loader whose size ends before these
     * fields passed none. */
    uint8_t  esp_id[32];
    uint32_t esp_id_valid;
    uint32_t reserved2;
    /* SHA-256 of the kernel.elf and initrd.cpio files the loader read (all
     * zero: no initrd). images_pinned 1: a pinned loader checked both
     * against the hashes compiled into it, so a Secure Boot signature over
     * the loader vouches for them; 0: measured only (docs/SECURITY.md). */
    uint8_t  kernel_sha256[32];
    uint8_t  initrd_sha256[32];
    uint32_t images_pinned;
};

#endif

/* The one boot-info structure every part of the kernel reads. kernel_main
 * fills it from whichever loader ran (Multiboot 1, Multiboot 2 or our UEFI
 * loader) before anything else uses boot data; after that nothing knows or
 * cares which path booted the machine. Everything is copied into kernel
 * memory, so the loader's structures may be reclaimed. */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H
#include <stdint.h>
#include "secos/boot_info.h"

#define MB1_BOOT_MAGIC 0x2BADB002u
#define MB2_BOOT_MAGIC 0x36d76289u
#define UEFI_BOOT_MAGIC 0u

#define BOOT_MMAP_MAX    128
#define BOOT_MODULES_MAX 8
#define BOOT_CMDLINE_MAX 256

enum boot_path { BOOT_PATH_MULTIBOOT1 = 1, BOOT_PATH_MULTIBOOT2, BOOT_PATH_UEFI };

struct boot_module {
    uint64_t start, end; /* physical, end exclusive */
    char name[64];
};

struct boot_info {
    enum boot_path path;
    char loader_name[64];
    char cmdline[BOOT_CMDLINE_MAX];
    uint64_t kernel_phys_base;  /* physical address of SECOS_KERNEL_LINK_BASE */
    struct secos_mmap_entry mmap[BOOT_MMAP_MAX];
    uint32_t mmap_count;
    uint32_t mmap_dropped;      /* entries that did not fit (reported, never silent) */
    struct secos_framebuffer fb;
    uint64_t rsdp_addr;         /* physical, 0 if unknown */
    uint8_t rsdp[36];           /* copy of the RSDP (Multiboot 2 hands over only a copy) */
    struct boot_module modules[BOOT_MODULES_MAX];
    uint32_t module_count;
    uint32_t modules_dropped;   /* modules past BOOT_MODULES_MAX (reported, never silent) */
    uint8_t rng_seed[32];       /* loader-supplied randomness (UEFI: EFI_RNG_PROTOCOL) */
    uint32_t rng_seed_len;      /* 0 = none */
    uint64_t kernel_slide;      /* virtual KASLR slide the loader applied, 0 = none */
    uint8_t esp_id[32];         /* UEFI: SHA-256 of the boot volume's first 512 bytes (fs/esp.c) */
    uint32_t esp_id_valid;      /* 1 = esp_id is set; 0 = no ESP known (Multiboot, or unreadable) */
    uint8_t kernel_sha256[32];  /* UEFI loader: SHA-256 of kernel.elf as read */
    uint8_t initrd_sha256[32];  /* and of initrd.cpio, all zero if none */
    uint32_t images_pinned;     /* 1: both matched the signed loader's pins */
};

extern struct boot_info boot_info;

/* Gives a pointer to len bytes at physical address pa, or NULL if that range
 * cannot be read. The kernel passes an identity mapper; host tests a buffer. */
typedef const void *(*boot_phys_reader)(uint64_t pa, uint64_t len);

/* Returns 0, or -1 with *why set to a human-readable reason. Pure: no I/O. */
int boot_info_parse(uint32_t magic, uint64_t info_pa, boot_phys_reader read,
                    struct boot_info *out, const char **why);

/* The loader's boot information stays in RAM after the kernel parsed it;
 * its random seed must not outlive the kernel's absorbing it. Zeroes the
 * seed and its length in the loader's own structure (UEFI only: Multiboot
 * carries none). map gives a writable pointer to len bytes at pa, or NULL.
 * Returns 0, or -1 when there is nothing to wipe or it cannot be reached. */
typedef void *(*boot_phys_writer)(uint64_t pa, uint64_t len);
int boot_info_wipe_seed(uint32_t magic, uint64_t info_pa, boot_phys_writer map);

const char *boot_path_name(enum boot_path p);
uint64_t boot_info_ram_bytes(const struct boot_info *bi); /* RAM the firmware reported */

#endif

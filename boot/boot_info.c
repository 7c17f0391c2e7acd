/* Normalising Multiboot 1, Multiboot 2 and SECoS-UEFI boot data. Pure code:
 * every loader-provided address is read through the boot_phys_reader, every
 * length is checked before use, so a malformed structure yields an error
 * instead of a wild read. */
#include "boot/boot_info.h"
#include "lib/string.h"

struct boot_info boot_info;

const char *boot_path_name(enum boot_path p) {
    switch (p) {
    case BOOT_PATH_MULTIBOOT1: return "multiboot1";
    case BOOT_PATH_MULTIBOOT2: return "multiboot2";
    case BOOT_PATH_UEFI: return "uefi";
    }
    return "unknown";
}

uint64_t boot_info_ram_bytes(const struct boot_info *bi) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        uint32_t t = bi->mmap[i].type;
        if (t == SECOS_MEM_USABLE || t == SECOS_MEM_LOADER || t == SECOS_MEM_KERNEL ||
            t == SECOS_MEM_ACPI_RECLAIM)
            total += bi->mmap[i].length;
    }
    return total;
}

/* Copies a NUL-terminated string of at most max-1 bytes from physical memory. */
static void copy_phys_string(boot_phys_reader read, uint64_t pa, char *dst, size_t max) {
    dst[0] = '\0';
    if (!pa) return;
    for (size_t i = 0; i + 1 < max; i++) {
        const char *c = read(pa + i, 1);
        if (!c || !*c) { dst[i] = '\0'; return; }
        dst[i] = *c;
        dst[i + 1] = '\0';
    }
}

static void add_mmap(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type) {
    /* A range running past the top of the address space is cut at 2^64 - 1
     * (found by the boot-info fuzzer: merging such entries wrapped lengths
     * to 0). */
    if (base + len < base) len = UINT64_MAX - base;
    if (len == 0) return;
    if (bi->mmap_count > 0) { /* merge with the previous entry when contiguous and alike */
        struct secos_mmap_entry *prev = &bi->mmap[bi->mmap_count - 1];
        if (prev->type == type && prev->base + prev->length == base && prev->length + len > prev->length &&
            base + len >= base) {
            prev->length += len;
            return;
        }
    }
    if (bi->mmap_count >= BOOT_MMAP_MAX) {
        bi->mmap_dropped++;
        return;
    }
    bi->mmap[bi->mmap_count++] = (struct secos_mmap_entry){ base, len, type, 0 };
}

static uint32_t multiboot_mem_type(uint32_t t) {
    switch (t) {
    case 1: return SECOS_MEM_USABLE;
    case 3: return SECOS_MEM_ACPI_RECLAIM;
    case 4: return SECOS_MEM_ACPI_NVS;
    case 5: return SECOS_MEM_BAD;
    default: return SECOS_MEM_RESERVED;
    }
}

static void fb_from_multiboot(struct secos_framebuffer *fb, const uint8_t *p) {
    /* Same layout in MB1 (info + 88) and MB2 (tag + 8). */
    memcpy(&fb->addr, p, 8);
    memcpy(&fb->pitch, p + 8, 4);
    memcpy(&fb->width, p + 12, 4);
    memcpy(&fb->height, p + 16, 4);
    fb->bpp = p[20];
    fb->type = SECOS_FB_NONE;
    if (p[21] == 1) {
        fb->type = SECOS_FB_RGB;
    } else if (p[21] == 2) {
        fb->type = SECOS_FB_EGA_TEXT;
    }
}

static void fb_rgb_fields(struct secos_framebuffer *fb, const uint8_t *c) {
    fb->red_pos = c[0]; fb->red_size = c[1];
    fb->green_pos = c[2]; fb->green_size = c[3];
    fb->blue_pos = c[4]; fb->blue_size = c[5];
}

static int parse_mb1(uint64_t pa, boot_phys_reader read, struct boot_info *bi, const char **why) {
    const uint8_t *info = read(pa, 116);
    if (!info) { *why = "multiboot1 info unreadable"; return -1; }
    uint32_t flags;
    memcpy(&flags, info, 4);
    if (flags & (1u << 2)) {
        uint32_t cmd; memcpy(&cmd, info + 16, 4);
        copy_phys_string(read, cmd, bi->cmdline, sizeof bi->cmdline);
    }
    if (flags & (1u << 9)) {
        uint32_t name; memcpy(&name, info + 64, 4);
        copy_phys_string(read, name, bi->loader_name, sizeof bi->loader_name);
    }
    if (flags & (1u << 3)) {
        uint32_t count, addr;
        memcpy(&count, info + 20, 4);
        memcpy(&addr, info + 24, 4);
        if (count > BOOT_MODULES_MAX) bi->modules_dropped = count - BOOT_MODULES_MAX;
        for (uint32_t i = 0; i < count && bi->module_count < BOOT_MODULES_MAX; i++) {
            /* The loader chooses the address: copy out instead of trusting
             * its alignment (found by the boot-info fuzzer). */
            const void *raw = read(addr + (uint64_t)i * 16, 16);
            if (!raw) { *why = "multiboot1 module list unreadable"; return -1; }
            uint32_t m[3];
            memcpy(m, raw, sizeof m);
            if (m[1] < m[0]) { *why = "multiboot1 module ends before it starts"; return -1; }
            struct boot_module *bm = &bi->modules[bi->module_count++];
            bm->start = m[0];
            bm->end = m[1];
            copy_phys_string(read, m[2], bm->name, sizeof bm->name);
        }
    }
    if (!(flags & (1u << 6))) { *why = "multiboot1 loader gave no memory map"; return -1; }
    uint32_t mlen, maddr;
    memcpy(&mlen, info + 44, 4);
    memcpy(&maddr, info + 48, 4);
    for (uint64_t off = 0; off + 4 <= mlen;) {
        const uint8_t *e = read(maddr + off, 24);
        if (!e) { *why = "multiboot1 memory map unreadable"; return -1; }
        uint32_t size; uint64_t base, len; uint32_t type;
        memcpy(&size, e, 4);
        memcpy(&base, e + 4, 8);
        memcpy(&len, e + 12, 8);
        memcpy(&type, e + 20, 4);
        if (size < 20) { *why = "multiboot1 memory map entry too small"; return -1; }
        add_mmap(bi, base, len, multiboot_mem_type(type));
        off += (uint64_t)size + 4;
    }
    if (flags & (1u << 12)) {
        fb_from_multiboot(&bi->fb, info + 88);
        if (bi->fb.type == SECOS_FB_RGB) fb_rgb_fields(&bi->fb, info + 110);
    } else {
        /* No framebuffer info: Multiboot 1 leaves the VGA text mode as it is. */
        bi->fb = (struct secos_framebuffer){ .addr = 0xB8000, .width = 80, .height = 25,
                                             .pitch = 160, .bpp = 16, .type = SECOS_FB_EGA_TEXT };
    }
    bi->kernel_phys_base = 0x100000;
    return 0;
}

static int parse_mb2(uint64_t pa, boot_phys_reader read, struct boot_info *bi, const char **why) {
    const uint32_t *hdr = read(pa, 8);
    if (!hdr) { *why = "multiboot2 info unreadable"; return -1; }
    uint32_t total = hdr[0];
    if (total < 16 || total > (1u << 20)) { *why = "multiboot2 info has an implausible size"; return -1; }
    const uint8_t *info = read(pa, total);
    if (!info) { *why = "multiboot2 info unreadable"; return -1; }
    int have_mmap = 0, have_end = 0;
    bi->fb.type = SECOS_FB_NONE;
    for (uint32_t off = 8; off + 8 <= total;) {
        uint32_t type, size;
        memcpy(&type, info + off, 4);
        memcpy(&size, info + off + 4, 4);
        if (size < 8 || size > total - off) { *why = "multiboot2 tag overruns the info block"; return -1; }
        const uint8_t *t = info + off;
        switch (type) {
        case 0: have_end = 1; break;
        case 1: { /* command line */
            size_t n = size - 8 < sizeof bi->cmdline - 1 ? size - 8 : sizeof bi->cmdline - 1;
            memcpy(bi->cmdline, t + 8, n);
            bi->cmdline[n] = '\0';
            break;
        }
        case 2: {
            size_t n = size - 8 < sizeof bi->loader_name - 1 ? size - 8 : sizeof bi->loader_name - 1;
            memcpy(bi->loader_name, t + 8, n);
            bi->loader_name[n] = '\0';
            break;
        }
        case 3: { /* module */
            if (size < 16) { *why = "multiboot2 module tag too small"; return -1; }
            if (bi->module_count >= BOOT_MODULES_MAX) {
                bi->modules_dropped++;
                break;
            }
            uint32_t s, e;
            memcpy(&s, t + 8, 4);
            memcpy(&e, t + 12, 4);
            if (e < s) { *why = "multiboot2 module ends before it starts"; return -1; }
            struct boot_module *bm = &bi->modules[bi->module_count++];
            bm->start = s;
            bm->end = e;
            size_t n = size - 16 < sizeof bm->name - 1 ? size - 16 : sizeof bm->name - 1;
            memcpy(bm->name, t + 16, n);
            bm->name[n] = '\0';
            break;
        }
        case 6: { /* memory map */
            if (size < 16) { *why = "multiboot2 memory map tag too small"; return -1; }
            uint32_t esize;
            memcpy(&esize, t + 8, 4);
            if (esize < 24) { *why = "multiboot2 memory map entries too small"; return -1; }
            for (uint32_t e = 16; e + esize <= size; e += esize) {
                uint64_t base, len; uint32_t et;
                memcpy(&base, t + e, 8);
                memcpy(&len, t + e + 8, 8);
                memcpy(&et, t + e + 16, 4);
                add_mmap(bi, base, len, multiboot_mem_type(et));
            }
            have_mmap = 1;
            break;
        }
        case 8: /* framebuffer */
            if (size < 30) { *why = "multiboot2 framebuffer tag too small"; return -1; }
            fb_from_multiboot(&bi->fb, t + 8);
            /* MB2 has a 16-bit reserved field after the type (MB1 does not). */
            if (bi->fb.type == SECOS_FB_RGB) {
                if (size < 38) { *why = "multiboot2 framebuffer tag too small for RGB"; return -1; }
                fb_rgb_fields(&bi->fb, t + 8 + 24);
            }
            if (bi->fb.type == SECOS_FB_EGA_TEXT) bi->fb.addr = 0xB8000;
            break;
        case 14: case 15: { /* ACPI RSDP copy, 1.0 or 2.0: prefer 2.0 */
            if (type == 14 && bi->rsdp_addr) break;
            size_t n = size - 8 < sizeof bi->rsdp ? size - 8 : sizeof bi->rsdp;
            memcpy(bi->rsdp, t + 8, n);
            bi->rsdp_addr = pa + off + 8;
            break;
        }
        default: break; /* tags we do not use */
        }
        if (have_end) break;
        off += (size + 7) & ~7u;
    }
    if (!have_mmap) { *why = "multiboot2 loader gave no memory map"; return -1; }
    bi->kernel_phys_base = 0x100000;
    return 0;
}

static int parse_uefi(uint64_t pa, boot_phys_reader read, struct boot_info *bi, const char **why) {
    const struct secos_boot_info *sb = read(pa, sizeof *sb);
    if (!sb) { *why = "UEFI boot info unreadable"; return -1; }
    if (sb->magic != SECOS_BOOT_INFO_MAGIC) { *why = "UEFI boot info has a bad magic"; return -1; }
    if (sb->version != SECOS_BOOT_INFO_VERSION) { *why = "UEFI boot info version mismatch"; return -1; }
    if (sb->kernel_phys_base & 0xfff) { *why = "kernel physical base not page aligned"; return -1; }
    bi->kernel_phys_base = sb->kernel_phys_base;
    const uint8_t *e = read(sb->mmap_addr, (uint64_t)sb->mmap_count * sizeof(struct secos_mmap_entry));
    if (!e || sb->mmap_count == 0) { *why = "UEFI memory map missing"; return -1; }
    for (uint32_t i = 0; i < sb->mmap_count; i++) {
        struct secos_mmap_entry m; /* copied: mmap_addr need not be aligned */
        memcpy(&m, e + (uint64_t)i * sizeof m, sizeof m);
        add_mmap(bi, m.base, m.length, m.type);
    }
    bi->fb = sb->fb;
    bi->rsdp_addr = sb->rsdp_addr;
    if (sb->rsdp_addr) {
        const void *r = read(sb->rsdp_addr, sizeof bi->rsdp);
        if (r) memcpy(bi->rsdp, r, sizeof bi->rsdp);
    }
    copy_phys_string(read, sb->cmdline_addr, bi->cmdline, sizeof bi->cmdline);
    copy_phys_string(read, sb->loader_name_addr, bi->loader_name, sizeof bi->loader_name);
    if (sb->initrd_addr && sb->initrd_size) {
        if (sb->initrd_addr + sb->initrd_size < sb->initrd_addr) { *why = "UEFI initrd wraps"; return -1; }
        struct boot_module *bm = &bi->modules[bi->module_count++];
        bm->start = sb->initrd_addr;
        bm->end = sb->initrd_addr + sb->initrd_size;
        strlcpy(bm->name, "initrd", sizeof bm->name);
    }
    if (sb->rng_seed_len > sizeof sb->rng_seed) { *why = "UEFI boot info seed length out of range"; return -1; }
    memcpy(bi->rng_seed, sb->rng_seed, sb->rng_seed_len);
    bi->rng_seed_len = sb->rng_seed_len;
    if (sb->kernel_slide & 0x1fffff) { *why = "KASLR slide not a multiple of 2 MiB"; return -1; }
    if (sb->kernel_slide >= (1ULL << 30)) { *why = "KASLR slide of 1 GiB or more"; return -1; }
    bi->kernel_slide = sb->kernel_slide;
    /* The ESP's identity, from a loader whose structure reaches that far. */
    if (sb->size >= offsetof(struct secos_boot_info, esp_id_valid) + sizeof sb->esp_id_valid) {
        if (sb->esp_id_valid > 1) { *why = "UEFI boot info ESP id flag out of range"; return -1; }
        if (sb->esp_id_valid) memcpy(bi->esp_id, sb->esp_id, sizeof bi->esp_id);
        bi->esp_id_valid = sb->esp_id_valid;
    }
    /* The images' hashes, from a loader whose structure reaches that far. */
    if (sb->size >= offsetof(struct secos_boot_info, images_pinned) + sizeof sb->images_pinned) {
        if (sb->images_pinned > 1) { *why = "UEFI boot info images_pinned is not 0 or 1"; return -1; }
        memcpy(bi->kernel_sha256, sb->kernel_sha256, sizeof bi->kernel_sha256);
        memcpy(bi->initrd_sha256, sb->initrd_sha256, sizeof bi->initrd_sha256);
        bi->images_pinned = sb->images_pinned;
    }
    return 0;
}

int boot_info_parse(uint32_t magic, uint64_t info_pa, boot_phys_reader read,
                    struct boot_info *out, const char **why) {
    memset(out, 0, sizeof *out);
    if (!info_pa) { *why = "the loader passed no boot information"; return -1; }
    switch (magic) {
    case MB1_BOOT_MAGIC: out->path = BOOT_PATH_MULTIBOOT1; return parse_mb1(info_pa, read, out, why);
    case MB2_BOOT_MAGIC: out->path = BOOT_PATH_MULTIBOOT2; return parse_mb2(info_pa, read, out, why);
    case UEFI_BOOT_MAGIC: out->path = BOOT_PATH_UEFI; return parse_uefi(info_pa, read, out, why);
    }
    *why = "unknown boot magic";
    return -1;
}

int boot_info_wipe_seed(uint32_t magic, uint64_t info_pa, boot_phys_writer map) {
    if (magic != UEFI_BOOT_MAGIC || !info_pa) return -1;
    struct secos_boot_info *sb = map(info_pa, sizeof *sb);
    if (!sb || sb->magic != SECOS_BOOT_INFO_MAGIC) return -1;
    /* volatile: a store the compiler could prove dead is still the point */
    volatile uint8_t *seed = sb->rng_seed;
    for (size_t i = 0; i < sizeof sb->rng_seed; i++) seed[i] = 0;
    *(volatile uint32_t *)&sb->rng_seed_len = 0;
    return 0;
}

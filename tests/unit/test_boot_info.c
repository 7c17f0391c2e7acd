/* Boot-info normalisation: Multiboot 1, Multiboot 2 and SECoS-UEFI
 * structures built in a buffer that plays the part of physical memory. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot/boot_info.h"
#include "lib/string.h"

#define FAKE_BASE 0x10000u
static uint8_t mem[16384];

static const void *reader(uint64_t pa, uint64_t len) {
    if (pa < FAKE_BASE || pa + len < pa || pa + len > FAKE_BASE + sizeof mem) return NULL;
    return mem + (pa - FAKE_BASE);
}

static void put32(uint32_t off, uint32_t v) { memcpy(mem + off, &v, 4); }
static void put64(uint32_t off, uint64_t v) { memcpy(mem + off, &v, 8); }

static struct boot_info bi;

/* --- Multiboot 1 ------------------------------------------------------- */

static void build_mb1(uint32_t flags) {
    memset(mem, 0, sizeof mem);
    put32(0, flags);
    put32(16, FAKE_BASE + 0x400);             /* cmdline */
    strcpy((char *)mem + 0x400, "console=serial quiet");
    put32(64, FAKE_BASE + 0x480);             /* loader name */
    strcpy((char *)mem + 0x480, "GRUB test");
    put32(44, 2 * 24);                        /* mmap length */
    put32(48, FAKE_BASE + 0x500);             /* mmap address */
    uint32_t e = 0x500;
    put32(e, 20); put64(e + 4, 0); put64(e + 12, 0x9fc00); put32(e + 20, 1);
    e += 24;
    put32(e, 20); put64(e + 4, 0x100000); put64(e + 12, 0x7f00000); put32(e + 20, 1);
}

static void test_mb1_basic(void **state) {
    (void)state;
    const char *why = NULL;
    build_mb1((1u << 2) | (1u << 6) | (1u << 9));
    assert_int_equal(boot_info_parse(MB1_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.path, BOOT_PATH_MULTIBOOT1);
    assert_string_equal(bi.cmdline, "console=serial quiet");
    assert_string_equal(bi.loader_name, "GRUB test");
    assert_int_equal(bi.mmap_count, 2);
    assert_int_equal(bi.mmap[1].base, 0x100000);
    assert_int_equal(bi.mmap[1].type, SECOS_MEM_USABLE);
    assert_int_equal(bi.fb.type, SECOS_FB_EGA_TEXT);
    assert_int_equal(bi.kernel_phys_base, 0x100000);
    assert_int_equal(boot_info_ram_bytes(&bi), 0x9fc00 + 0x7f00000);
}

static void test_mb1_without_mmap_is_refused(void **state) {
    (void)state;
    const char *why = NULL;
    build_mb1(1u << 2);
    assert_int_equal(boot_info_parse(MB1_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "memory map"));
}

static void test_mb1_bad_entry_size(void **state) {
    (void)state;
    const char *why = NULL;
    build_mb1(1u << 6);
    put32(0x500, 4); /* an entry claiming 4 bytes would loop or misparse */
    assert_int_equal(boot_info_parse(MB1_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
}

static void test_mb1_unreadable_info(void **state) {
    (void)state;
    const char *why = NULL;
    assert_int_equal(boot_info_parse(MB1_BOOT_MAGIC, 0x90000000u, reader, &bi, &why), -1);
    assert_int_equal(boot_info_parse(MB1_BOOT_MAGIC, 0, reader, &bi, &why), -1);
}

static void test_mb1_string_is_bounded(void **state) {
    (void)state;
    const char *why = NULL;
    build_mb1((1u << 2) | (1u << 6));
    memset(mem + 0x1000, 'B', 1000);
    mem[0x1000 + 1000] = 0;
    put32(16, FAKE_BASE + 0x1000);
    assert_int_equal(boot_info_parse(MB1_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
}

/* --- Multiboot 2 ------------------------------------------------------- */

static uint32_t mb2_off;
static void mb2_begin(void) { memset(mem, 0, sizeof mem); mb2_off = 8; }
static uint32_t mb2_tag(uint32_t type, uint32_t size) {
    uint32_t at = mb2_off;
    put32(at, type);
    put32(at + 4, size);
    mb2_off += (size + 7) & ~7u;
    return at;
}
static void mb2_end(void) { mb2_tag(0, 8); put32(0, mb2_off); }

static void build_mb2_standard(void) {
    mb2_begin();
    uint32_t t = mb2_tag(1, 8 + 6);
    memcpy(mem + t + 8, "quiet", 6);
    t = mb2_tag(6, 16 + 3 * 24);
    put32(t + 8, 24);
    put32(t + 12, 0);
    put64(t + 16, 0); put64(t + 24, 0x9fc00); put32(t + 32, 1);
    put64(t + 40, 0x100000); put64(t + 48, 0x3ff00000); put32(t + 56, 1);
    put64(t + 64, 0xfffc0000); put64(t + 72, 0x40000); put32(t + 80, 2);
    t = mb2_tag(8, 8 + 22 + 6 + 2);
    put64(t + 8, 0xfd000000); put32(t + 16, 4096); put32(t + 20, 1024); put32(t + 24, 768);
    mem[t + 28] = 32; mem[t + 29] = 1;
    /* colour info follows a 16-bit reserved field: tag + 32 */
    mem[t + 32] = 16; mem[t + 33] = 8; mem[t + 34] = 8; mem[t + 35] = 8; mem[t + 36] = 0; mem[t + 37] = 8;
    t = mb2_tag(3, 16 + 7);
    put32(t + 8, 0x200000); put32(t + 12, 0x210000);
    memcpy(mem + t + 16, "initrd", 7);
    t = mb2_tag(15, 8 + 36);
    memcpy(mem + t + 8, "RSD PTR ", 8);
    mb2_end();
}

static void test_mb2_standard(void **state) {
    (void)state;
    const char *why = NULL;
    build_mb2_standard();
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.path, BOOT_PATH_MULTIBOOT2);
    assert_string_equal(bi.cmdline, "quiet");
    assert_int_equal(bi.mmap_count, 3);
    assert_int_equal(bi.mmap[2].type, SECOS_MEM_RESERVED);
    assert_int_equal(bi.fb.type, SECOS_FB_RGB);
    assert_int_equal(bi.fb.addr, 0xfd000000);
    assert_int_equal(bi.fb.width, 1024);
    assert_int_equal(bi.fb.pitch, 4096);
    assert_int_equal(bi.fb.red_pos, 16);
    assert_int_equal(bi.fb.red_size, 8);
    assert_int_equal(bi.fb.green_pos, 8);
    assert_int_equal(bi.fb.blue_pos, 0);
    assert_int_equal(bi.fb.blue_size, 8);
    assert_int_equal(bi.module_count, 1);
    assert_int_equal(bi.modules[0].end, 0x210000);
    assert_string_equal(bi.modules[0].name, "initrd");
    assert_memory_equal(bi.rsdp, "RSD PTR ", 8);
    assert_true(bi.rsdp_addr != 0);
}

/* Modules past BOOT_MODULES_MAX are counted, so the kernel can say so. */
static void test_mb2_too_many_modules_counted(void **state) {
    (void)state;
    const char *why = NULL;
    mb2_begin();
    uint32_t t = mb2_tag(6, 16 + 24);
    put32(t + 8, 24);
    put64(t + 16, 0x100000); put64(t + 24, 0x3ff00000); put32(t + 32, 1);
    for (uint32_t i = 0; i < BOOT_MODULES_MAX + 3; i++) {
        t = mb2_tag(3, 16 + 2);
        put32(t + 8, 0x200000 + i * 0x1000); put32(t + 12, 0x201000 + i * 0x1000);
        mem[t + 16] = (uint8_t)('a' + i);
    }
    mb2_end();
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.module_count, BOOT_MODULES_MAX);
    assert_int_equal(bi.modules_dropped, 3);
    build_mb2_standard();
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.modules_dropped, 0);
}

static void test_mb2_tag_overrun_refused(void **state) {
    (void)state;
    const char *why = NULL;
    build_mb2_standard();
    put32(8 + 4, 0x10000); /* first tag claims to be larger than the block */
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "overruns"));
}

static void test_mb2_tiny_tag_refused(void **state) {
    (void)state;
    const char *why = NULL;
    build_mb2_standard();
    put32(8 + 4, 4); /* a size below the tag header would loop forever */
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
}

static void test_mb2_no_mmap_refused(void **state) {
    (void)state;
    const char *why = NULL;
    mb2_begin();
    mb2_end();
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
}

static void test_mb2_total_size_implausible(void **state) {
    (void)state;
    const char *why = NULL;
    build_mb2_standard();
    put32(0, 4);
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    put32(0, sizeof mem * 4); /* beyond readable memory */
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
}

/* Regression (boot-info fuzzer): entries that run past 2^64 used to merge
 * into wrapped, zero-length entries. */
static void test_mmap_wrapping_entries(void **state) {
    (void)state;
    const char *why = NULL;
    mb2_begin();
    uint32_t t = mb2_tag(6, 16 + 3 * 24);
    put32(t + 8, 24);
    put64(t + 16, 0x1000); put64(t + 24, 0xfffffffffffff000ULL); put32(t + 32, 1);
    put64(t + 40, 0x0); put64(t + 48, 0x1000); put32(t + 56, 1);
    put64(t + 64, 0xffffffffffff0000ULL); put64(t + 72, 0x20000); put32(t + 80, 1);
    mb2_end();
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    for (uint32_t i = 0; i < bi.mmap_count; i++) {
        assert_true(bi.mmap[i].length != 0);
        assert_true(bi.mmap[i].base + bi.mmap[i].length >= bi.mmap[i].base);
    }
}

static void test_mmap_overflow_counted(void **state) {
    (void)state;
    const char *why = NULL;
    mb2_begin();
    uint32_t n = BOOT_MMAP_MAX + 5;
    uint32_t t = mb2_tag(6, 16 + n * 24);
    put32(t + 8, 24);
    for (uint32_t i = 0; i < n; i++) {
        /* alternate types so nothing merges */
        put64(t + 16 + i * 24, (uint64_t)i * 0x2000);
        put64(t + 24 + i * 24, 0x1000);
        put32(t + 32 + i * 24, i % 2 ? 1 : 2);
    }
    mb2_end();
    assert_int_equal(boot_info_parse(MB2_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.mmap_count, BOOT_MMAP_MAX);
    assert_int_equal(bi.mmap_dropped, 5);
}

/* --- SECoS UEFI -------------------------------------------------------- */

static void build_uefi(void) {
    memset(mem, 0, sizeof mem);
    struct secos_boot_info sb = {0};
    sb.magic = SECOS_BOOT_INFO_MAGIC;
    sb.version = SECOS_BOOT_INFO_VERSION;
    sb.size = sizeof sb;
    sb.kernel_phys_base = 0x7e00000;
    sb.mmap_addr = FAKE_BASE + 0x800;
    sb.mmap_count = 3;
    sb.fb.type = SECOS_FB_RGB;
    sb.fb.addr = 0x80000000;
    sb.cmdline_addr = FAKE_BASE + 0x700;
    sb.loader_name_addr = FAKE_BASE + 0x780;
    sb.initrd_addr = 0x300000;
    sb.initrd_size = 0x1000;
    memcpy(mem, &sb, sizeof sb);
    strcpy((char *)mem + 0x700, "from-uefi");
    strcpy((char *)mem + 0x780, "SECoS UEFI loader");
    struct secos_mmap_entry e[3] = {
        { 0, 0xa0000, SECOS_MEM_USABLE, 0 },
        { 0x100000, 0x100000, SECOS_MEM_USABLE, 0 },
        { 0x200000, 0x100000, SECOS_MEM_USABLE, 0 }, /* contiguous: merges */
    };
    memcpy(mem + 0x800, e, sizeof e);
}

static void test_uefi_basic(void **state) {
    (void)state;
    const char *why = NULL;
    build_uefi();
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.path, BOOT_PATH_UEFI);
    assert_int_equal(bi.kernel_phys_base, 0x7e00000);
    assert_int_equal(bi.mmap_count, 2);
    assert_int_equal(bi.mmap[1].length, 0x200000);
    assert_string_equal(bi.cmdline, "from-uefi");
    assert_string_equal(bi.loader_name, "SECoS UEFI loader");
    assert_int_equal(bi.module_count, 1);
    assert_int_equal(bi.modules[0].end, 0x301000);
}

static void test_uefi_bad_magic_and_version(void **state) {
    (void)state;
    const char *why = NULL;
    build_uefi();
    mem[0] ^= 1;
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "magic"));
    build_uefi();
    put32(8, 99);
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "version"));
}

static void test_uefi_misaligned_base_and_bad_mmap(void **state) {
    (void)state;
    const char *why = NULL;
    build_uefi();
    put64(offsetof(struct secos_boot_info, kernel_phys_base), 0x7e00010);
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    build_uefi();
    put32(offsetof(struct secos_boot_info, mmap_count), 100000); /* runs off memory */
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
}

static void test_uefi_seed_and_slide(void **state) {
    (void)state;
    const char *why = NULL;
    build_uefi();
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) seed[i] = (uint8_t)(i * 7 + 1);
    memcpy(mem + offsetof(struct secos_boot_info, rng_seed), seed, 32);
    put32(offsetof(struct secos_boot_info, rng_seed_len), 32);
    put64(offsetof(struct secos_boot_info, kernel_slide), 0x1e00000);
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.rng_seed_len, 32);
    assert_memory_equal(bi.rng_seed, seed, 32);
    assert_int_equal(bi.kernel_slide, 0x1e00000);
    build_uefi();
    put32(offsetof(struct secos_boot_info, rng_seed_len), 33); /* longer than the array */
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "seed"));
    build_uefi();
    put64(offsetof(struct secos_boot_info, kernel_slide), 0x1000); /* not 2 MiB */
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "slide"));
}

static void *writer(uint64_t pa, uint64_t len) { return (void *)reader(pa, len); }

static void test_uefi_seed_wiped_in_the_loaders_page(void **state) {
    (void)state;
    const char *why = NULL;
    build_uefi();
    memset(mem + offsetof(struct secos_boot_info, rng_seed), 0xa5, 32);
    put32(offsetof(struct secos_boot_info, rng_seed_len), 32);
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(boot_info_wipe_seed(UEFI_BOOT_MAGIC, FAKE_BASE, writer), 0);
    static const uint8_t zero[32];
    assert_memory_equal(mem + offsetof(struct secos_boot_info, rng_seed), zero, 32);
    uint32_t len;
    memcpy(&len, mem + offsetof(struct secos_boot_info, rng_seed_len), 4);
    assert_int_equal(len, 0);
    /* everything else is still there: a second parse gives the same boot */
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_string_equal(bi.cmdline, "from-uefi");
    assert_int_equal(bi.rng_seed_len, 0);
    /* Multiboot carries no seed; a page without our magic is not touched */
    assert_int_equal(boot_info_wipe_seed(MB2_BOOT_MAGIC, FAKE_BASE, writer), -1);
    build_uefi();
    mem[0] ^= 1;
    memset(mem + offsetof(struct secos_boot_info, rng_seed), 0xa5, 32);
    assert_int_equal(boot_info_wipe_seed(UEFI_BOOT_MAGIC, FAKE_BASE, writer), -1);
    assert_int_equal(mem[offsetof(struct secos_boot_info, rng_seed)], 0xa5);
}

static void test_uefi_esp_id(void **state) {
    (void)state;
    const char *why = NULL;
    uint8_t id[32];
    for (int i = 0; i < 32; i++) id[i] = (uint8_t)(0xa0 + i);
    build_uefi();
    memcpy(mem + offsetof(struct secos_boot_info, esp_id), id, 32);
    put32(offsetof(struct secos_boot_info, esp_id_valid), 1);
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.esp_id_valid, 1);
    assert_memory_equal(bi.esp_id, id, 32);
    /* Not valid: the bytes are not taken. */
    put32(offsetof(struct secos_boot_info, esp_id_valid), 0);
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.esp_id_valid, 0);
    uint8_t zero[32] = {0};
    assert_memory_equal(bi.esp_id, zero, 32);
    /* A flag that is neither 0 nor 1 is refused. */
    put32(offsetof(struct secos_boot_info, esp_id_valid), 2);
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "ESP"));
    /* A loader whose structure ends before the fields passed no id. */
    put32(offsetof(struct secos_boot_info, esp_id_valid), 1);
    put32(offsetof(struct secos_boot_info, size), (uint32_t)offsetof(struct secos_boot_info, esp_id));
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_int_equal(bi.esp_id_valid, 0);
}

static void test_uefi_image_hashes(void **state) {
    (void)state;
    const char *why = NULL;
    uint8_t k[32], r[32];
    for (int i = 0; i < 32; i++) { k[i] = (uint8_t)(0xa0 + i); r[i] = (uint8_t)(0x30 + i); }
    build_uefi();
    memcpy(mem + offsetof(struct secos_boot_info, kernel_sha256), k, 32);
    memcpy(mem + offsetof(struct secos_boot_info, initrd_sha256), r, 32);
    put32(offsetof(struct secos_boot_info, images_pinned), 1);
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), 0);
    assert_memory_equal(bi.kernel_sha256, k, 32);
    assert_memory_equal(bi.initrd_sha256, r, 32);
    assert_int_equal(bi.images_pinned, 1);
    build_uefi();
    put32(offsetof(struct secos_boot_info, images_pinned), 2); /* neither yes nor no */
    assert_int_equal(boot_info_parse(UEFI_BOOT_MAGIC, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "images_pinned"));
}

static void test_unknown_magic(void **state) {
    (void)state;
    const char *why = NULL;
    assert_int_equal(boot_info_parse(0x12345678, FAKE_BASE, reader, &bi, &why), -1);
    assert_non_null(strstr(why, "magic"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mb1_basic),
        cmocka_unit_test(test_mb1_without_mmap_is_refused),
        cmocka_unit_test(test_mb1_bad_entry_size),
        cmocka_unit_test(test_mb1_unreadable_info),
        cmocka_unit_test(test_mb1_string_is_bounded),
        cmocka_unit_test(test_mb2_standard),
        cmocka_unit_test(test_mb2_too_many_modules_counted),
        cmocka_unit_test(test_mb2_tag_overrun_refused),
        cmocka_unit_test(test_mb2_tiny_tag_refused),
        cmocka_unit_test(test_mb2_no_mmap_refused),
        cmocka_unit_test(test_mb2_total_size_implausible),
        cmocka_unit_test(test_mmap_overflow_counted),
        cmocka_unit_test(test_mmap_wrapping_entries),
        cmocka_unit_test(test_uefi_basic),
        cmocka_unit_test(test_uefi_bad_magic_and_version),
        cmocka_unit_test(test_uefi_seed_and_slide),
        cmocka_unit_test(test_uefi_seed_wiped_in_the_loaders_page),
        cmocka_unit_test(test_uefi_esp_id),
        cmocka_unit_test(test_uefi_image_hashes),
        cmocka_unit_test(test_uefi_misaligned_base_and_bad_mmap),
        cmocka_unit_test(test_unknown_magic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

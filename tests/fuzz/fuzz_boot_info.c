/* Fuzzes boot_info_parse() (boot/boot_info.c) for Multiboot 1, Multiboot 2
 * and the SECoS UEFI hand-over. The input is physical memory from FAKE_BASE
 * on, the info structure at its start; each input is parsed with all three
 * magics. The reader hands out a fresh heap copy of exactly the bytes asked
 * for, at the address's own alignment modulo 16: ASan then catches a read
 * beyond what the parser asked the reader for, UBSan a misaligned access. */
#include "tests/fuzz/fuzz.h"
#include "boot/boot_info.h"

#define FAKE_BASE 0x10000u

static const uint8_t *mem;
static size_t mem_size;
static void **copies;
static size_t ncopies, cap;

static const void *reader(uint64_t pa, uint64_t len)
{
    if (pa < FAKE_BASE || pa - FAKE_BASE > mem_size || len > mem_size - (pa - FAKE_BASE))
        return NULL;
    if (ncopies == cap) {
        cap = cap ? 2 * cap : 64;
        copies = realloc(copies, cap * sizeof *copies);
        CHECK(copies);
    }
    size_t skew = pa % 16;
    uint8_t *c = malloc(skew + len ? skew + len : 1);
    CHECK(c);
    memcpy(c + skew, mem + (pa - FAKE_BASE), len);
    copies[ncopies++] = c;
    return c + skew;
}

static int terminated(const char *s, size_t n) { return strnlen(s, n) < n; }

static void parse(uint32_t magic, enum boot_path path)
{
    struct boot_info bi;
    const char *why = NULL;

    if (boot_info_parse(magic, FAKE_BASE, reader, &bi, &why) != 0) {
        CHECK(why && why[0]);
        return;
    }
    CHECK(bi.path == path && strcmp(boot_path_name(bi.path), "unknown") != 0);
    CHECK(terminated(bi.cmdline, sizeof bi.cmdline) && terminated(bi.loader_name, sizeof bi.loader_name));
    CHECK(bi.mmap_count <= BOOT_MMAP_MAX);
    for (uint32_t i = 0; i < bi.mmap_count; i++)
        CHECK(bi.mmap[i].length != 0);
    CHECK(bi.module_count <= BOOT_MODULES_MAX);
    for (uint32_t i = 0; i < bi.module_count; i++)
        CHECK(bi.modules[i].end >= bi.modules[i].start &&
              terminated(bi.modules[i].name, sizeof bi.modules[i].name));
    if (path == BOOT_PATH_UEFI)
        CHECK(bi.kernel_phys_base % 4096 == 0);
    else
        CHECK(bi.kernel_phys_base == 0x100000);
    (void)boot_info_ram_bytes(&bi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mem = data;
    mem_size = size;
    parse(MB1_BOOT_MAGIC, BOOT_PATH_MULTIBOOT1);
    parse(MB2_BOOT_MAGIC, BOOT_PATH_MULTIBOOT2);
    parse(UEFI_BOOT_MAGIC, BOOT_PATH_UEFI);
    while (ncopies)
        free(copies[--ncopies]);
    return 0;
}

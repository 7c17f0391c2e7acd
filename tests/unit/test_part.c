/* block/part_mbr.c and block/part_gpt.c on tables made by the host's
 * sfdisk (generated here, in a temp file) and on hostile edits of them:
 * MBR primary + extended with logicals; GPT with names and types; a bad
 * primary GPT (the backup serves); bad CRCs in both copies, overlapping
 * partitions, a partition past the end, an EBR loop, an over-long chain
 * and a logical partition outside its extended one are refused with a
 * reason; no 0x55AA or boot-sector status bytes are "no table". */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/string.h"
#include "lib/crc32.h"
#include "block/part.h"

#define SS 512
#define DISK_SECTORS 16384        /* 8 MiB */
static uint8_t img[DISK_SECTORS * SS];
static uint64_t reads;

static const uint8_t *reader(void *ctx, uint64_t lba) {
    (void)ctx;
    reads++;
    return lba < DISK_SECTORS ? img + lba * SS : 0;
}

/* img = an 8 MiB image partitioned by `sfdisk` from script. */
static void sfdisk(const char *script) {
    char path[] = "/tmp/secos-part-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, sizeof img), 0);
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sfdisk -q --no-reread --no-tell-kernel %s >/dev/null 2>&1", path);
    FILE *p = popen(cmd, "w");
    assert_non_null(p);
    fputs(script, p);
    assert_int_equal(pclose(p), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(img, 1, sizeof img, f), sizeof img);
    fclose(f);
    unlink(path);
}

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* Recomputes the entry-array and header CRCs of the GPT header at lba. */
static void gpt_fix(uint64_t lba) {
    uint8_t *h = img + lba * SS;
    uint64_t array = get64(h + 72);
    uint32_t n = get32(h + 80), es = get32(h + 84), hs = get32(h + 12);
    if (array < DISK_SECTORS && (uint64_t)n * es <= (DISK_SECTORS - array) * SS)
        put32(h + 88, crc32(img + array * SS, (size_t)n * es));
    put32(h + 16, 0);
    put32(h + 16, crc32(h, hs < SS ? hs : SS));
}
static uint8_t *gpt_entry(uint64_t hdr_lba, int i) {
    uint8_t *h = img + hdr_lba * SS;
    return img + get64(h + 72) * SS + (size_t)i * get32(h + 84);
}

static struct part_table t;

static const char *MBR_SCRIPT =
    "label: dos\n"
    "start=2048, size=4096, type=83\n"
    "start=6144, size=8192, type=5\n"
    "start=8192, size=2048, type=83\n"
    "start=12288, size=1024, type=c\n";

static void test_mbr_extended(void **st) {
    (void)st;
    sfdisk(MBR_SCRIPT);
    assert_int_equal(part_parse(reader, 0, DISK_SECTORS, SS, &t), PART_OK);
    assert_int_equal(t.gpt, 0);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.e[0].number, 1);
    assert_true(t.e[0].start == 2048 && t.e[0].sectors == 4096 && t.e[0].mbr_type == 0x83);
    assert_int_equal(t.e[1].number, 5);
    assert_true(t.e[1].start == 8192 && t.e[1].sectors == 2048);
    assert_int_equal(t.e[2].number, 6);
    assert_true(t.e[2].start == 12288 && t.e[2].sectors == 1024 && t.e[2].mbr_type == 0x0c);
}

static void expect_refused(const char *what) {
    memset(&t, 0x5a, sizeof t);
    int r = part_parse(reader, 0, DISK_SECTORS, SS, &t);
    if (r != PART_REFUSED) fail_msg("%s: not refused (%d)", what, r);
    assert_non_null(t.why);
    assert_int_equal(t.n, 0);
}

static void test_mbr_hostile(void **st) {
    (void)st;
    sfdisk(MBR_SCRIPT);
    uint8_t *e1 = img + 446 + 16 * 0;
    uint32_t len = get32(e1 + 12);
    put32(e1 + 12, len + 200);                       /* primary 1 runs into the extended one */
    expect_refused("primary over extended");
    put32(e1 + 12, len);
    put32(e1 + 12, DISK_SECTORS);                    /* past the end */
    expect_refused("past the end");
    put32(e1 + 12, len);
    assert_int_equal(part_parse(reader, 0, DISK_SECTORS, SS, &t), PART_OK);
    /* The second EBR links back to the first: a loop. */
    uint8_t *ebr1 = img + 6144 * SS, *ebr2 = NULL;
    uint32_t next = get32(ebr1 + 462 + 8);
    ebr2 = img + (6144 + (uint64_t)next) * SS;
    uint8_t saved[16];
    memcpy(saved, ebr2 + 462, 16);
    ebr2[462 + 4] = 0x05;
    put32(ebr2 + 462 + 8, 0);
    put32(ebr2 + 462 + 12, 100);
    expect_refused("EBR loop");
    /* A self loop through a different EBR address (same sector). */
    put32(ebr2 + 462 + 8, next);
    expect_refused("EBR self loop");
    memcpy(ebr2 + 462, saved, 16);
    /* A logical partition past its extended partition. */
    put32(ebr2 + 446 + 12, 9000);
    expect_refused("logical outside extended");
}

static void test_mbr_long_chain(void **st) {
    (void)st;
    memset(img, 0, sizeof img);
    img[510] = 0x55; img[511] = 0xaa;
    uint8_t *e = img + 446;
    e[4] = 0x05; put32(e + 8, 100); put32(e + 12, 10000);
    for (int k = 0; k < 100; k++) {                  /* 100 EBRs, 2 sectors apart */
        uint8_t *ebr = img + (100 + 2 * (uint64_t)k) * SS;
        ebr[510] = 0x55; ebr[511] = 0xaa;
        ebr[446 + 4] = 0x83; put32(ebr + 446 + 8, 1); put32(ebr + 446 + 12, 1);
        ebr[462 + 4] = 0x05; put32(ebr + 462 + 8, 2 * (uint32_t)k + 2); put32(ebr + 462 + 12, 2);
    }
    reads = 0;
    expect_refused("long chain");
    assert_true(reads <= PART_MAX_EBR + 2);
}

static void test_no_table(void **st) {
    (void)st;
    memset(img, 0, sizeof img);
    assert_int_equal(part_parse(reader, 0, DISK_SECTORS, SS, &t), PART_NONE);
    img[510] = 0x55; img[511] = 0xaa;
    img[446] = 0x3c;                                 /* boot code, not a status byte */
    assert_int_equal(part_parse(reader, 0, DISK_SECTORS, SS, &t), PART_NONE);
}

static const char *GPT_SCRIPT =
    "label: gpt\n"
    "start=2048, size=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"esp\"\n"
    "start=4096, size=6000, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root fs\"\n";

static void check_gpt_layout(void) {
    assert_int_equal(t.gpt, 1);
    assert_int_equal(t.n, 2);
    assert_true(t.e[0].number == 1 && t.e[0].start == 2048 && t.e[0].sectors == 2048);
    assert_string_equal(t.e[0].name, "esp");
    assert_string_equal(part_gpt_type_name(t.e[0].type_guid), "EFI system");
    assert_true(t.e[1].number == 2 && t.e[1].start == 4096 && t.e[1].sectors == 6000);
    assert_string_equal(t.e[1].name, "root fs");
    assert_string_equal(part_gpt_type_name(t.e[1].type_guid), "Linux filesystem");
}

static void test_gpt(void **st) {
    (void)st;
    sfdisk(GPT_SCRIPT);
    assert_int_equal(part_parse(reader, 0, DISK_SECTORS, SS, &t), PART_OK);
    check_gpt_layout();
    assert_int_equal(t.used_backup, 0);
}

static void test_gpt_backup(void **st) {
    (void)st;
    sfdisk(GPT_SCRIPT);
    img[SS + 60] ^= 1;                               /* primary header CRC now wrong */
    assert_int_equal(part_parse(reader, 0, DISK_SECTORS, SS, &t), PART_OK);
    check_gpt_layout();
    assert_int_equal(t.used_backup, 1);
    assert_non_null(t.why);
    sfdisk(GPT_SCRIPT);
    gpt_entry(1, 0)[60] ^= 1;                        /* primary entry array CRC wrong */
    assert_int_equal(part_parse(reader, 0, DISK_SECTORS, SS, &t), PART_OK);
    assert_int_equal(t.used_backup, 1);
}

static void test_gpt_hostile(void **st) {
    (void)st;
    sfdisk(GPT_SCRIPT);
    img[SS + 60] ^= 1;
    img[(DISK_SECTORS - 1) * SS + 60] ^= 1;          /* both header CRCs wrong */
    expect_refused("both headers bad");
    sfdisk(GPT_SCRIPT);
    gpt_entry(1, 1)[33] ^= 1;
    gpt_entry(DISK_SECTORS - 1, 1)[33] ^= 1;         /* both entry arrays' CRCs wrong */
    expect_refused("both arrays bad");
    /* Overlap and past-the-end with valid CRCs in both copies. */
    uint64_t hdrs[2] = { 1, DISK_SECTORS - 1 };
    sfdisk(GPT_SCRIPT);
    for (int k = 0; k < 2; k++) { put64(gpt_entry(hdrs[k], 1) + 32, 3000); gpt_fix(hdrs[k]); }
    expect_refused("overlap");
    sfdisk(GPT_SCRIPT);
    for (int k = 0; k < 2; k++) { put64(gpt_entry(hdrs[k], 1) + 40, DISK_SECTORS + 5); gpt_fix(hdrs[k]); }
    expect_refused("past the end");
    sfdisk(GPT_SCRIPT);
    for (int k = 0; k < 2; k++) { put32(img + hdrs[k] * SS + 80, 0x10000000); gpt_fix(hdrs[k]); }
    expect_refused("huge entry count");
    sfdisk(GPT_SCRIPT);
    for (int k = 0; k < 2; k++) { put32(img + hdrs[k] * SS + 84, 100); gpt_fix(hdrs[k]); }
    expect_refused("odd entry size");
    sfdisk(GPT_SCRIPT);
    for (int k = 0; k < 2; k++) { put64(img + hdrs[k] * SS + 72, 3000); gpt_fix(hdrs[k]); }
    expect_refused("array in the usable area");
    sfdisk(GPT_SCRIPT);
    for (int k = 0; k < 2; k++) { put32(img + hdrs[k] * SS + 12, 600); gpt_fix(hdrs[k]); }
    expect_refused("header size");
}

int main(void) {
    if (system("command -v sfdisk >/dev/null 2>&1 || test -x /usr/sbin/sfdisk") != 0) {
        fprintf(stderr, "test_part: sfdisk (Debian package fdisk) is needed\n");
        return 1;
    }
    setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbr_extended),
        cmocka_unit_test(test_mbr_hostile),
        cmocka_unit_test(test_mbr_long_chain),
        cmocka_unit_test(test_no_table),
        cmocka_unit_test(test_gpt),
        cmocka_unit_test(test_gpt_backup),
        cmocka_unit_test(test_gpt_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* drivers/ata_id.c: what an ATA/ATAPI device says about itself is checked
 * before a driver registers it: device type, LBA support, capacity bounds
 * for LBA28 and LBA48, the logical sector size, the checksum word, the
 * model string; READ CAPACITY(10) and the READ(10) packet. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/ata_id.h"

/* A QEMU-like disk: LBA, LBA48, 'QEMU HARDDISK', sectors as given. */
static void disk(uint16_t id[256], uint64_t sectors) {
    memset(id, 0, 512);
    id[0] = 0x0040;
    const char *model = "QEMU HARDDISK                           ";
    for (int i = 0; i < 20; i++) id[27 + i] = (uint16_t)(model[2 * i] << 8 | model[2 * i + 1]);
    id[49] = 1u << 9;
    uint64_t l28 = sectors > ATA_LBA28_MAX ? ATA_LBA28_MAX : sectors;
    id[60] = (uint16_t)l28;
    id[61] = (uint16_t)(l28 >> 16);
    id[83] = 0x4000 | (1u << 10) | (1u << 13);
    for (int i = 0; i < 4; i++) id[100 + i] = (uint16_t)(sectors >> (16 * i));
}

static void sign(uint16_t id[256]) {
    id[255] = 0xA5;
    uint8_t sum = 0;
    for (int i = 0; i < 255; i++) sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
    sum = (uint8_t)(sum + 0xA5);
    id[255] = (uint16_t)(0xA5 | (uint8_t)(-sum) << 8);
}

static void test_plain_disk(void **state) {
    (void)state;
    uint16_t id[256];
    struct ata_identity r;
    const char *why = 0;
    disk(id, 16384);
    assert_int_equal(ata_parse_identify(id, 0, &r, &why), 0);
    assert_int_equal(r.sectors, 16384);
    assert_int_equal(r.sector_size, 512);
    assert_true(r.lba48 && r.flush_ext && !r.atapi);
    assert_string_equal(r.model, "QEMU HARDDISK");
    assert_int_equal(r.multiple, 0);
    id[47] = 0x8010;                                   /* 16 sectors per block */
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), 0);
    assert_int_equal(r.multiple, 16);
    id[47] = 0x800C;                                   /* 12: not a valid value */
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), 0);
    assert_int_equal(r.multiple, 0);
}

static void test_lba48_capacity_beyond_lba28(void **state) {
    (void)state;
    uint16_t id[256];
    struct ata_identity r;
    disk(id, 1ull << 40);
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), 0);
    assert_int_equal(r.sectors, 1ull << 40);
    disk(id, (1ull << 48) + 1);
    id[103] = 0x0001; id[100] = 1; id[101] = id[102] = 0;   /* 2^48 + 1 */
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), -1);
    /* Without the LBA48 bit (or with word 83 invalid) only LBA28 counts. */
    disk(id, 1ull << 30);
    id[83] = 0;
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), 0);
    assert_int_equal(r.sectors, ATA_LBA28_MAX);
    assert_false(r.lba48);
}

static void test_rejects(void **state) {
    (void)state;
    uint16_t id[256];
    struct ata_identity r;
    const char *why = 0;
    disk(id, 100); id[0] = 0x8000;
    assert_int_equal(ata_parse_identify(id, 0, &r, &why), -1);
    assert_non_null(why);
    disk(id, 100); id[49] = 0;                      /* CHS only */
    assert_int_equal(ata_parse_identify(id, 0, &r, &why), -1);
    disk(id, 0);                                    /* empty */
    assert_int_equal(ata_parse_identify(id, 0, &r, &why), -1);
    disk(id, 100); id[61] = 0x1000;                 /* LBA28 past 2^28 - 1 */
    assert_int_equal(ata_parse_identify(id, 0, &r, &why), -1);
    disk(id, 100); id[106] = 0x4000 | (1u << 12); id[117] = 100;   /* 200-byte sectors */
    assert_int_equal(ata_parse_identify(id, 0, &r, &why), -1);
    id[117] = 0x1000;                               /* 8192-byte sectors */
    assert_int_equal(ata_parse_identify(id, 0, &r, &why), -1);
    id[117] = 0x800;                                /* 4096: fine */
    assert_int_equal(ata_parse_identify(id, 0, &r, &why), 0);
    assert_int_equal(r.sector_size, 4096);
}

static void test_checksum(void **state) {
    (void)state;
    uint16_t id[256];
    struct ata_identity r;
    disk(id, 100);
    sign(id);
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), 0);
    id[60] ^= 1;
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), -1);
}

static void test_atapi(void **state) {
    (void)state;
    uint16_t id[256];
    struct ata_identity r;
    memset(id, 0, sizeof id);
    id[0] = 0x85C0;                                  /* ATAPI, CD-ROM, 12-byte packets */
    assert_int_equal(ata_parse_identify(id, 1, &r, 0), 0);
    assert_true(r.atapi);
    assert_int_equal(r.sector_size, 2048);
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), -1);   /* not an ATA disk */
    id[0] = 0x0040;
    assert_int_equal(ata_parse_identify(id, 1, &r, 0), -1);   /* not a packet device */
    id[0] = 0x85C2;                                  /* reserved packet size */
    assert_int_equal(ata_parse_identify(id, 1, &r, 0), -1);
}

static void test_model_is_printable(void **state) {
    (void)state;
    uint16_t id[256];
    struct ata_identity r;
    disk(id, 100);
    id[27] = 0x1B5B;                                 /* ESC '[' */
    id[28] = 0xFF41;
    assert_int_equal(ata_parse_identify(id, 0, &r, 0), 0);
    for (const char *p = r.model; *p; p++) assert_true(*p >= 0x20 && *p < 0x7f);
    assert_int_equal(r.model[0], '?');
    assert_int_equal(r.model[3], 'A');
}

static void test_capacity(void **state) {
    (void)state;
    uint64_t blocks;
    uint32_t bs;
    const uint8_t cd[8] = { 0, 0, 0x01, 0x2B, 0, 0, 0x08, 0 };
    assert_int_equal(atapi_parse_capacity(cd, &blocks, &bs), 0);
    assert_int_equal(blocks, 300);
    assert_int_equal(bs, 2048);
    const uint8_t huge[8] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0x08, 0 };
    assert_int_equal(atapi_parse_capacity(huge, &blocks, &bs), -1);
    const uint8_t odd[8] = { 0, 0, 0, 1, 0, 0, 0x09, 0 };
    assert_int_equal(atapi_parse_capacity(odd, &blocks, &bs), -1);
    const uint8_t zero[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
    assert_int_equal(atapi_parse_capacity(zero, &blocks, &bs), -1);
}

static void test_read10(void **state) {
    (void)state;
    uint8_t p[12];
    assert_int_equal(atapi_read10_packet(p, 0x01020304, 0x0506), 0);
    const uint8_t want[12] = { 0x28, 0, 1, 2, 3, 4, 0, 5, 6, 0, 0, 0 };
    assert_memory_equal(p, want, 12);
    assert_int_equal(atapi_read10_packet(p, 1ull << 32, 1), -1);
    assert_int_equal(atapi_read10_packet(p, 0, 0), -1);
    assert_int_equal(atapi_read10_packet(p, 0, 0x10000), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_disk),
        cmocka_unit_test(test_lba48_capacity_beyond_lba28),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_atapi),
        cmocka_unit_test(test_model_is_printable),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_read10),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}

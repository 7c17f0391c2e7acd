/* drivers/pci_acpi.c and drivers/pci_bar.c: the MCFG walk over a fake
 * physical memory (valid v1 and v2 chains; every checksum, signature and
 * length broken in turn refuses; a bad XSDT falls back to the RSDT; the BIOS
 * scan finds the RSDP), and BAR decoding of I/O, 32- and 64-bit memory and
 * impossible probe values. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/string.h"
#include "drivers/pci_acpi.h"
#include "drivers/pci_bar.h"

/* Fake physical memory: [0, 1 MiB) plus a table area at 0x7f00000. */
#define LOW_SIZE 0x100000
#define TBL_BASE 0x7f00000ULL
#define TBL_SIZE 0x10000
static uint8_t low[LOW_SIZE], tbl[TBL_SIZE];

static const void *reader(uint64_t pa, uint64_t len) {
    if (pa + len < pa) return 0;
    if (pa + len <= LOW_SIZE) return low + pa;
    if (pa >= TBL_BASE && pa + len <= TBL_BASE + TBL_SIZE) return tbl + (pa - TBL_BASE);
    return 0;
}

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static void fix_sum(uint8_t *p, uint32_t n, uint32_t at) {
    p[at] = 0;
    uint8_t s = 0;
    for (uint32_t i = 0; i < n; i++) s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)-s;
}
static void header(uint8_t *t, const char *sig, uint32_t len) {
    memset(t, 0, 36);
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = 1;
}

#define XSDT_OFF 0x000
#define RSDT_OFF 0x100
#define MCFG_OFF 0x200
#define OTHER_OFF 0x300

static uint8_t rsdp[36];

/* RSDP v2 -> XSDT (an unrelated table, MCFG) and RSDT -> MCFG. */
static void build(int rev) {
    memset(tbl, 0, sizeof tbl);
    memset(rsdp, 0, sizeof rsdp);
    memcpy(rsdp, "RSD PTR ", 8);
    rsdp[15] = (uint8_t)rev;
    put32(rsdp + 16, (uint32_t)(TBL_BASE + RSDT_OFF));
    put32(rsdp + 20, 36);
    put64(rsdp + 24, TBL_BASE + XSDT_OFF);
    fix_sum(rsdp, 20, 8);
    fix_sum(rsdp, 36, 32);
    header(tbl + OTHER_OFF, "APIC", 40);
    fix_sum(tbl + OTHER_OFF, 40, 9);
    header(tbl + XSDT_OFF, "XSDT", 36 + 16);
    put64(tbl + XSDT_OFF + 36, TBL_BASE + OTHER_OFF);
    put64(tbl + XSDT_OFF + 44, TBL_BASE + MCFG_OFF);
    fix_sum(tbl + XSDT_OFF, 52, 9);
    header(tbl + RSDT_OFF, "RSDT", 36 + 4);
    put32(tbl + RSDT_OFF + 36, (uint32_t)(TBL_BASE + MCFG_OFF));
    fix_sum(tbl + RSDT_OFF, 40, 9);
    uint8_t *m = tbl + MCFG_OFF;
    header(m, "MCFG", 44 + 32);
    put64(m + 44, 0xc0000000);            /* segment 1 first: skipped */
    m[52] = 1; m[54] = 0; m[55] = 7;
    put64(m + 60, 0xb0000000);
    m[68] = 0; m[70] = 0; m[71] = 0xff;
    fix_sum(m, 76, 9);
}

static void expect_ok(void) {
    struct pci_ecam_info e;
    const char *why = 0;
    assert_int_equal(acpi_find_ecam(rsdp, reader, &e, &why), 0);
    assert_true(e.base == 0xb0000000);
    assert_int_equal(e.start_bus, 0);
    assert_int_equal(e.end_bus, 255);
}

static void expect_fail(void) {
    struct pci_ecam_info e;
    const char *why = 0;
    assert_int_equal(acpi_find_ecam(rsdp, reader, &e, &why), -1);
    assert_non_null(why);
}

static void test_valid_v2_and_v1(void **st) {
    (void)st;
    build(2);
    expect_ok();
    build(0);
    expect_ok();
}

static void test_bad_rsdp(void **st) {
    (void)st;
    build(2);
    rsdp[9] ^= 1;                              /* OEM id: breaks both checksums */
    expect_fail();
    build(2);
    rsdp[33] ^= 1;                             /* only the extended checksum */
    expect_fail();
    build(2);
    rsdp[0] = 'X';
    expect_fail();
    expect_fail();
    assert_int_equal(acpi_find_ecam(0, reader, &(struct pci_ecam_info){ 0 }, 0), -1);
}

static void test_bad_xsdt_falls_back_to_rsdt(void **st) {
    (void)st;
    build(2);
    tbl[XSDT_OFF + 20] ^= 1;
    expect_ok();
    build(2);
    put64(rsdp + 24, 0x12345000);              /* unreadable */
    fix_sum(rsdp, 36, 32);
    expect_ok();
}

static void test_bad_mcfg(void **st) {
    (void)st;
    build(2);
    tbl[MCFG_OFF + 50] ^= 1;                   /* checksum */
    expect_fail();
    build(2);
    put32(tbl + MCFG_OFF + 4, 0x7fffffff);     /* length past the table bound */
    fix_sum(tbl + MCFG_OFF, 76, 9);
    expect_fail();
    build(2);
    put32(tbl + MCFG_OFF + 4, 20);             /* shorter than a header */
    expect_fail();
    build(2);
    put64(tbl + MCFG_OFF + 60, 0xb0000800);    /* not 1 MiB aligned */
    fix_sum(tbl + MCFG_OFF, 76, 9);
    expect_fail();
    build(2);
    tbl[MCFG_OFF + 70] = 9; tbl[MCFG_OFF + 71] = 3;   /* start > end */
    fix_sum(tbl + MCFG_OFF, 76, 9);
    expect_fail();
    build(2);
    tbl[MCFG_OFF + 68] = 2;                    /* no segment 0 */
    fix_sum(tbl + MCFG_OFF, 76, 9);
    expect_fail();
    build(2);
    put32(tbl + MCFG_OFF + 4, 44);             /* no entries */
    fix_sum(tbl + MCFG_OFF, 44, 9);
    expect_fail();
}

static void test_root_length_lies(void **st) {
    (void)st;
    build(0);
    put32(tbl + RSDT_OFF + 4, TBL_SIZE * 2);   /* runs past readable memory */
    fix_sum(tbl + RSDT_OFF, 40, 9);
    expect_fail();
}

static void test_scan_rsdp(void **st) {
    (void)st;
    build(2);
    memset(low, 0, sizeof low);
    uint8_t out[36];
    assert_int_equal(acpi_scan_rsdp(reader, out), -1);
    memcpy(low + 0xf5a30, rsdp, 36);           /* 16-byte aligned in the BIOS area */
    assert_int_equal(acpi_scan_rsdp(reader, out), 0);
    assert_memory_equal(out, rsdp, 36);
    memset(low + 0xf5a30, 0, 36);
    low[0x40e] = 0x00; low[0x40f] = 0x9f;      /* EBDA at 0x9f000 */
    memcpy(low + 0x9f040, rsdp, 36);
    assert_int_equal(acpi_scan_rsdp(reader, out), 0);
    low[0x9f041] ^= 1;                          /* bad checksum: ignored */
    assert_int_equal(acpi_scan_rsdp(reader, out), -1);
}

static void test_bars(void **st) {
    (void)st;
    struct pci_bar_info b;
    assert_int_equal(pci_bar_decode(0xc041, 0xffffffe1, 0, 0, 0, &b), 1);
    assert_true(b.is_io && b.base == 0xc040 && b.size == 0x20);
    assert_int_equal(pci_bar_decode(0xfebf0000, 0xfffff000, 1, 0, 0, &b), 1);
    assert_true(!b.is_io && !b.is_64 && b.base == 0xfebf0000 && b.size == 0x1000);
    assert_int_equal(pci_bar_decode(0xfe00000c, 0xffffc00c, 1, 0, 0xffffffff, &b), 2);
    assert_true(b.is_64 && b.prefetchable && b.base == 0xfe000000 && b.size == 0x4000);
    assert_int_equal(pci_bar_decode(0x0000000c, 0x0000000c, 1, 0x10, 0xfffffff0, &b), 2);
    assert_true(b.base == 0x1000000000ULL && b.size == 0x1000000000ULL);
    assert_int_equal(pci_bar_decode(0, 0, 1, 0, 0, &b), 1);         /* absent */
    assert_true(b.size == 0);
    assert_int_equal(pci_bar_decode(0xfebf0000, 0xfff0f000, 1, 0, 0, &b), 1); /* holes in the mask */
    assert_true(b.size == 0);
    assert_int_equal(pci_bar_decode(0xfebf8000, 0xffff0000, 1, 0, 0, &b), 1); /* base not aligned */
    assert_true(b.size == 0);
    assert_int_equal(pci_bar_decode(0xfe00000c, 0xffffc00c, 0, 0, 0, &b), 1); /* 64-bit in the last slot */
    assert_true(b.size == 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_v2_and_v1),
        cmocka_unit_test(test_bad_rsdp),
        cmocka_unit_test(test_bad_xsdt_falls_back_to_rsdt),
        cmocka_unit_test(test_bad_mcfg),
        cmocka_unit_test(test_root_length_lies),
        cmocka_unit_test(test_scan_rsdp),
        cmocka_unit_test(test_bars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

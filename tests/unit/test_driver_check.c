/* Host unit tests for dspace/driver_check.c: the Driver Space
 * permission engine. Every error path, the order of the checks, and the
 * integer-overflow cases. */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dspace/driver_check.h"
#include "secos/errno.h"

#define ME    7
#define OTHER 8
#define PAGE  DRIVER_PAGE_SIZE

enum { DEMO, SENSOR, NOMAP, FREE, HOLE, NDEV };

static device_desc_t devs[NDEV];
static struct device_binding binds[NDEV];

static int setup(void **state) {
    (void)state;
    memset(devs, 0, sizeof devs);
    memset(binds, 0, sizeof binds);
    devs[DEMO] = (device_desc_t){ .name = "demo", .caps = DRIVER_CAP_READ | DRIVER_CAP_WRITE | DRIVER_CAP_MAP |
                                                          DRIVER_CAP_INFO,
                                  .reg_size = 64, .mem_size = 4 * PAGE, .bind = &binds[DEMO] };
    binds[DEMO].owner = ME;
    devs[SENSOR] = (device_desc_t){ .name = "sensor", .caps = DRIVER_CAP_READ | DRIVER_CAP_INFO, .reg_size = 32,
                                    .mem_size = PAGE, .bind = &binds[SENSOR] };
    binds[SENSOR].owner = ME;
    devs[NOMAP] = (device_desc_t){ .name = "nomap", .caps = DRIVER_CAP_READ | DRIVER_CAP_WRITE | DRIVER_CAP_INFO,
                                   .reg_size = 64, .mem_size = 2 * PAGE, .bind = &binds[NOMAP] };
    binds[NOMAP].owner = OTHER;
    devs[FREE] = (device_desc_t){ .name = "free", .caps = DRIVER_CAP_READ, .reg_size = 8, .mem_size = PAGE,
                                  .bind = &binds[FREE] };
    binds[FREE].owner = DRIVER_UNBOUND;
    /* devs[HOLE]: a registry slot with no device (name NULL). */
    devs[HOLE].bind = &binds[HOLE];
    return 0;
}

static int chk(uint32_t op, uint32_t dev, uint64_t reg, uint64_t moff, uint64_t mlen, uint32_t flags) {
    driver_call_t c = { op, dev, reg, 0, moff, mlen, flags };
    return driver_check(devs, NDEV, ME, &c);
}

static void test_valid_calls(void **state) {
    (void)state;
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 0, 0, 0, 0), DRV_OK);
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 56, 0, 0, 0), DRV_OK);          /* last register */
    assert_int_equal(chk(DRIVER_OP_WRITE_REG, DEMO, 8, 0, 0, DRIVER_FLAG_AUDIT), DRV_OK);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 0, 4 * PAGE, 0), DRV_OK);      /* the whole region */
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 3 * PAGE, PAGE, 0), DRV_OK);   /* the last page */
    assert_int_equal(chk(DRIVER_OP_UNMAP_MEM, DEMO, 0, PAGE, 2 * PAGE, 0), DRV_OK);
    assert_int_equal(chk(DRIVER_OP_GET_INFO, DEMO, ~0ull, ~0ull, ~0ull, 0), DRV_OK); /* INFO ignores offsets */
    assert_int_equal(chk(DRIVER_OP_READ_REG, SENSOR, 24, 0, 0, 0), DRV_OK);
}

static void test_device(void **state) {
    (void)state;
    assert_int_equal(chk(DRIVER_OP_GET_INFO, NDEV, 0, 0, 0, 0), DRV_ERR_DEVICE);
    assert_int_equal(chk(DRIVER_OP_GET_INFO, HOLE, 0, 0, 0, 0), DRV_ERR_DEVICE);
    assert_int_equal(chk(DRIVER_OP_GET_INFO, 0xffffffffu, 0, 0, 0, 0), DRV_ERR_DEVICE);
    assert_int_equal(chk(DRIVER_OP_GET_INFO, 0x80000000u, 0, 0, 0, 0), DRV_ERR_DEVICE);
    driver_call_t c = { DRIVER_OP_GET_INFO, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(driver_check(devs, 0, ME, &c), DRV_ERR_DEVICE); /* empty registry */
}

static void test_binding(void **state) {
    (void)state;
    assert_int_equal(chk(DRIVER_OP_GET_INFO, NOMAP, 0, 0, 0, 0), DRV_ERR_BINDING); /* someone else's */
    assert_int_equal(chk(DRIVER_OP_GET_INFO, FREE, 0, 0, 0, 0), DRV_ERR_BINDING);  /* nobody's */
    /* An unbound device is nobody's, not the device of a caller whose pid
     * happens to equal the DRIVER_UNBOUND marker. */
    driver_call_t c = { DRIVER_OP_GET_INFO, FREE, 0, 0, 0, 0, 0 };
    assert_int_equal(driver_check(devs, NDEV, DRIVER_UNBOUND, &c), DRV_ERR_BINDING);
    c.device_id = NOMAP;
    assert_int_equal(driver_check(devs, NDEV, OTHER, &c), DRV_OK);
}

static void test_opcode(void **state) {
    (void)state;
    assert_int_equal(chk(0, DEMO, 0, 0, 0, 0), DRV_ERR_OPCODE);
    assert_int_equal(chk(DRIVER_OP_COUNT, DEMO, 0, 0, 0, 0), DRV_ERR_OPCODE);
    assert_int_equal(chk(0xffffffffu, DEMO, 0, 0, 0, 0), DRV_ERR_OPCODE);
}

static void test_capability(void **state) {
    (void)state;
    assert_int_equal(chk(DRIVER_OP_WRITE_REG, SENSOR, 0, 0, 0, 0), DRV_ERR_PERM);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, SENSOR, 0, 0, PAGE, 0), DRV_ERR_PERM);
    assert_int_equal(chk(DRIVER_OP_UNMAP_MEM, SENSOR, 0, 0, PAGE, 0), DRV_ERR_PERM);
    devs[SENSOR].caps = DRIVER_CAP_READ;
    assert_int_equal(chk(DRIVER_OP_GET_INFO, SENSOR, 0, 0, 0, 0), DRV_ERR_PERM);
    devs[SENSOR].caps = 0;
    assert_int_equal(chk(DRIVER_OP_READ_REG, SENSOR, 0, 0, 0, 0), DRV_ERR_PERM);
}

static void test_register_range(void **state) {
    (void)state;
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 64, 0, 0, 0), DRV_ERR_RANGE);   /* one past the end */
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 60, 0, 0, 0), DRV_ERR_RANGE);   /* straddles the end */
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 57, 0, 0, 0), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_WRITE_REG, DEMO, UINT64_MAX, 0, 0, 0), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_WRITE_REG, DEMO, UINT64_MAX - 7, 0, 0, 0), DRV_ERR_RANGE); /* +8 wraps to 0 */
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 1ull << 63, 0, 0, 0), DRV_ERR_RANGE);
    /* A register block smaller than one register has no valid offset at all. */
    devs[SENSOR].reg_size = 4;
    assert_int_equal(chk(DRIVER_OP_READ_REG, SENSOR, 0, 0, 0, 0), DRV_ERR_RANGE);
    devs[SENSOR].reg_size = 0;
    assert_int_equal(chk(DRIVER_OP_READ_REG, SENSOR, 0, 0, 0, 0), DRV_ERR_RANGE);
}

static void test_memory_range(void **state) {
    (void)state;
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 0, 5 * PAGE, 0), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 4 * PAGE, PAGE, 0), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 3 * PAGE, 2 * PAGE, 0), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, UINT64_MAX, PAGE, 0), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 0, UINT64_MAX, 0), DRV_ERR_RANGE);
    /* offset + length wraps past 2^64 to a small number: still refused. */
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, PAGE, UINT64_MAX - PAGE + 1, 0), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_UNMAP_MEM, DEMO, 0, UINT64_MAX - PAGE + 1, 2 * PAGE, 0), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_UNMAP_MEM, DEMO, 0, 1ull << 63, 1ull << 63, 0), DRV_ERR_RANGE);
}

static void test_arguments(void **state) {
    (void)state;
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 4, 0, 0, 0), DRV_ERR_ARGS);
    assert_int_equal(chk(DRIVER_OP_WRITE_REG, DEMO, 1, 0, 0, 0), DRV_ERR_ARGS);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 0, 0, 0), DRV_ERR_ARGS);           /* empty */
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 4 * PAGE, 0, 0), DRV_ERR_ARGS);    /* empty, at the end */
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 100, PAGE, 0), DRV_ERR_ARGS);
    assert_int_equal(chk(DRIVER_OP_UNMAP_MEM, DEMO, 0, 0, 100, 0), DRV_ERR_ARGS);
    assert_int_equal(chk(DRIVER_OP_GET_INFO, DEMO, 0, 0, 0, 2), DRV_ERR_ARGS);          /* unknown flag */
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 0, 0, 0, 0x80000000u), DRV_ERR_ARGS);
}

/* The first failing check wins, in the documented order. */
static void test_order(void **state) {
    (void)state;
    /* everything wrong: no device comes first */
    assert_int_equal(chk(99, NDEV, UINT64_MAX, UINT64_MAX, 0, 0xff), DRV_ERR_DEVICE);
    /* bound elsewhere + bad opcode + ...: binding before opcode */
    assert_int_equal(chk(99, NOMAP, UINT64_MAX, 0, 0, 0xff), DRV_ERR_BINDING);
    /* bad opcode before capability and range */
    assert_int_equal(chk(99, SENSOR, UINT64_MAX, 0, 0, 0xff), DRV_ERR_OPCODE);
    /* missing capability before range */
    assert_int_equal(chk(DRIVER_OP_WRITE_REG, SENSOR, UINT64_MAX, 0, 0, 0xff), DRV_ERR_PERM);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, SENSOR, 0, UINT64_MAX, UINT64_MAX, 0xff), DRV_ERR_PERM);
    /* range before alignment and flags */
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, UINT64_MAX, 0, 0, 0xff), DRV_ERR_RANGE);
    assert_int_equal(chk(DRIVER_OP_MAP_MEM, DEMO, 0, 1, UINT64_MAX, 0xff), DRV_ERR_RANGE);
    /* in range: then alignment / flags */
    assert_int_equal(chk(DRIVER_OP_READ_REG, DEMO, 3, 0, 0, 0xff), DRV_ERR_ARGS);
}

static void test_names(void **state) {
    (void)state;
    assert_string_equal(driver_op_name(DRIVER_OP_MAP_MEM), "MAP_MEM");
    assert_string_equal(driver_op_name(0), "?");
    assert_string_equal(driver_op_name(1000), "?");
    assert_string_equal(driver_result_name(DRV_ERR_RATE), "DRV_ERR_RATE");
    assert_string_equal(driver_result_name(-EFAULT), "EFAULT");
    assert_string_equal(driver_result_name(42), "?");
    assert_int_equal(driver_op_cap(DRIVER_OP_UNMAP_MEM), DRIVER_CAP_MAP);
    assert_int_equal(driver_op_cap(0), 0);
    char caps[5];
    driver_caps_str(DRIVER_CAP_READ | DRIVER_CAP_INFO, caps);
    assert_string_equal(caps, "R--I");
    uint32_t op = 0;
    assert_int_equal(driver_op_parse("map", &op), 0);
    assert_int_equal(op, DRIVER_OP_MAP_MEM);
    assert_int_equal(driver_op_parse("UNMAP_MEM", &op), 0);
    assert_int_equal(op, DRIVER_OP_UNMAP_MEM);
    assert_int_equal(driver_op_parse("get_info", &op), 0);
    assert_int_equal(op, DRIVER_OP_GET_INFO);
    assert_int_equal(driver_op_parse("42", &op), 0);
    assert_int_equal(op, 42);
    assert_int_equal(driver_op_parse("mapx", &op), -1);
    assert_int_equal(driver_op_parse("", &op), -1);
    assert_int_equal(driver_op_parse("4294967296", &op), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_valid_calls, setup),
        cmocka_unit_test_setup(test_device, setup),
        cmocka_unit_test_setup(test_binding, setup),
        cmocka_unit_test_setup(test_opcode, setup),
        cmocka_unit_test_setup(test_capability, setup),
        cmocka_unit_test_setup(test_register_range, setup),
        cmocka_unit_test_setup(test_memory_range, setup),
        cmocka_unit_test_setup(test_arguments, setup),
        cmocka_unit_test_setup(test_order, setup),
        cmocka_unit_test_setup(test_names, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* drvtest: the whole call path run in the kernel for a pseudo-caller
 * (DRIVER_KERNEL_PID) whose "address space" is a scratch space made for the
 * occasion. Every opcode, every error code, MAP_MEM checked in the page
 * tables, the rate limiter, and the frame count before and after. Plus the
 * boot-time selftests of Driver Space. */
#include "dspace/driver_space.h"
#include "dspace/driver_check.h"
#include "console/shell.h"
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "lib/string.h"

#define DEMO 0
#define SENSOR 1
#define NOMAP 2
#define SPARE 3

static int steps, failed;

static void report(const char *step, long expected, long actual) {
    int ok = expected == actual;
    steps++;
    failed += !ok;
    kprintf("drvtest: %s expected=%s actual=%s %s\n", step, driver_result_name(expected), driver_result_name(actual),
            ok ? "ok" : "FAIL");
}

/* One call; the result is reported and the call left in *out for checks. */
static long step(const char *name, long expected, uint32_t op, uint32_t dev, uint64_t reg, uint64_t value,
                 uint64_t moff, uint64_t mlen, uint32_t flags, driver_call_t *out) {
    driver_call_t c = { op, dev, reg, value, moff, mlen, flags };
    long r = handle_driver_call(DRIVER_KERNEL_PID, &c);
    report(name, expected, r);
    if (out) *out = c;
    return r;
}

/* A step that is a plain condition rather than a call. */
static void check(const char *name, int cond) { report(name, DRV_OK, cond ? DRV_OK : DRV_ERR_ARGS); }

static void sequence(struct address_space *as) {
    driver_call_t c;
    const device_desc_t *demo = driver_device(DEMO);
    step("get_info", DRV_OK, DRIVER_OP_GET_INFO, DEMO, 0, 0, 0, 0, DRIVER_FLAG_AUDIT, &c);
    check("get_info_values", DRIVER_INFO_CAPS(&c) == demo->caps && DRIVER_INFO_REG_SIZE(&c) == demo->reg_size &&
                                 DRIVER_INFO_MEM_SIZE(&c) == demo->mem_size);
    step("write_reg", DRV_OK, DRIVER_OP_WRITE_REG, DEMO, 8, 0x5ec05ec0, 0, 0, 0, 0);
    step("read_reg", DRV_OK, DRIVER_OP_READ_REG, DEMO, 8, 0, 0, 0, 0, &c);
    check("read_reg_value", c.value == 0x5ec05ec0);
    step("no_device", DRV_ERR_DEVICE, DRIVER_OP_READ_REG, 99, 0, 0, 0, 0, 0, 0);
    step("unbound_device", DRV_ERR_BINDING, DRIVER_OP_READ_REG, SPARE, 0, 0, 0, 0, 0, 0);
    step("bad_opcode", DRV_ERR_OPCODE, 42, DEMO, 0, 0, 0, 0, 0, 0);
    step("sensor_write", DRV_ERR_PERM, DRIVER_OP_WRITE_REG, SENSOR, 0, 1, 0, 0, 0, 0);
    step("nomap_map", DRV_ERR_PERM, DRIVER_OP_MAP_MEM, NOMAP, 0, 0, 0, DRIVER_PAGE_SIZE, 0, 0);
    step("reg_offset_max", DRV_ERR_RANGE, DRIVER_OP_READ_REG, DEMO, UINT64_MAX, 0, 0, 0, 0, 0);
    step("reg_past_end", DRV_ERR_RANGE, DRIVER_OP_READ_REG, DEMO, demo->reg_size, 0, 0, 0, 0, 0);
    step("reg_misaligned", DRV_ERR_ARGS, DRIVER_OP_READ_REG, DEMO, 4, 0, 0, 0, 0, 0);
    step("mem_wrap", DRV_ERR_RANGE, DRIVER_OP_MAP_MEM, DEMO, 0, 0, DRIVER_PAGE_SIZE, UINT64_MAX - 4095, 0, 0);
    step("mem_zero_length", DRV_ERR_ARGS, DRIVER_OP_MAP_MEM, DEMO, 0, 0, 0, 0, 0, 0);
    step("unknown_flag", DRV_ERR_ARGS, DRIVER_OP_GET_INFO, DEMO, 0, 0, 0, 0, 0x80, 0);

    step("map_mem", DRV_OK, DRIVER_OP_MAP_MEM, DEMO, 0, 0, 0, 2 * DRIVER_PAGE_SIZE, DRIVER_FLAG_AUDIT, &c);
    uint64_t pa = 0, flags = 0;
    int mapped = vmm_translate(as, c.value + DRIVER_PAGE_SIZE, &pa, &flags) == 0;
    check("map_mem_pte", mapped && pa == demo->mem_base + DRIVER_PAGE_SIZE && (flags & PTE_U) && (flags & PTE_W) &&
                             (flags & PTE_NX) && !(flags & PTE_OWNED));
    step("map_mem_twice", DRV_ERR_ARGS, DRIVER_OP_MAP_MEM, DEMO, 0, 0, DRIVER_PAGE_SIZE, DRIVER_PAGE_SIZE, 0, 0);
    step("unmap_mem", DRV_OK, DRIVER_OP_UNMAP_MEM, DEMO, 0, 0, 0, 2 * DRIVER_PAGE_SIZE, DRIVER_FLAG_AUDIT, 0);
    check("unmap_mem_pte", vmm_translate(as, c.value, 0, 0) != 0);
    step("unmap_mem_twice", DRV_ERR_ARGS, DRIVER_OP_UNMAP_MEM, DEMO, 0, 0, 0, DRIVER_PAGE_SIZE, 0, 0);

    /* Spend the (process, GET_INFO) bucket of the sensor device's driver. */
    long r = DRV_OK;
    for (int i = 0; i < 100000 && r == DRV_OK; i++) {
        driver_call_t q = { DRIVER_OP_GET_INFO, SENSOR, 0, 0, 0, 0, 0 };
        r = handle_driver_call(DRIVER_KERNEL_PID, &q);
    }
    report("rate_limit", DRV_ERR_RATE, r);
}

static int cmd_drvtest(int argc, char **argv) {
    (void)argc; (void)argv;
    driver_registry_init();
    static const uint32_t needed[] = { DEMO, SENSOR, NOMAP };
    for (unsigned i = 0; i < 3; i++) {
        const device_desc_t *d = driver_device(needed[i]);
        if (!d || d->bind->owner != DRIVER_UNBOUND) {
            kprintf("drvtest: device %u must be registered and unbound (drvunreg %u first)\n", needed[i], needed[i]);
            return -1;
        }
    }
    uint64_t free0 = pmm_free_frames();
    struct address_space *as = vmm_space_create();
    if (!as) { kprintf("drvtest: out of memory\n"); return -1; }
    driver_set_kernel_space(as);
    for (unsigned i = 0; i < 3; i++) driver_bind(needed[i], DRIVER_KERNEL_PID);
    steps = failed = 0;
    sequence(as);
    for (unsigned i = 0; i < 3; i++) driver_unbind(needed[i]);
    driver_set_kernel_space(0);
    vmm_space_destroy(as);
    uint64_t free1 = pmm_free_frames();
    kprintf("drvtest: frames free before=%lu after=%lu\n", free0, free1);
    check("no_frame_leak", free0 == free1);
    kprintf("drvtest: %d steps, %d failed\n", steps, failed);
    return failed ? -1 : 0;
}
SHELL_COMMAND(drvtest, "drvtest", "drvtest", "run the driver space call sequence in the kernel and print each result", cmd_drvtest);

/* --- selftests ------------------------------------------------------------ */

SELFTEST(drv_registry, "driver.registry") {
    ST_CHECK(driver_registry_init() == 0);
    ST_CHECK(driver_ndevices >= 3);
    /* At least three different capability masks, and no region over the cap. */
    ST_CHECK(driver_devices[0].caps != driver_devices[1].caps && driver_devices[1].caps != driver_devices[2].caps &&
             driver_devices[0].caps != driver_devices[2].caps);
    for (uint32_t i = 0; i < driver_ndevices; i++) {
        ST_CHECK(driver_devices[i].mem_size / DRIVER_PAGE_SIZE <= DRIVER_MEM_MAX_PAGES);
        ST_CHECK(driver_devices[i].reg_size % DRIVER_REG_WIDTH == 0 && driver_devices[i].reg_size >= DRIVER_REG_WIDTH);
    }
    return 0;
}

/* Map and unmap for the pseudo-caller on the first free mappable device;
 * every call succeeds unflagged, so the audit log stays as it was. */
SELFTEST(drv_map_no_leak, "driver.map_unmap_no_leak") {
    ST_CHECK(driver_registry_init() == 0);
    uint32_t id = 0;
    while (id < driver_ndevices && (driver_devices[id].bind->owner != DRIVER_UNBOUND ||
                                    !(driver_devices[id].caps & DRIVER_CAP_MAP)))
        id++;
    if (id == driver_ndevices) return 0; /* all in use: nothing to test without disturbing a driver */
    uint64_t free0 = pmm_free_frames(), logged = driver_audit.recorded;
    struct address_space *as = vmm_space_create();
    ST_CHECK(as);
    driver_set_kernel_space(as);
    ST_CHECK(driver_bind(id, DRIVER_KERNEL_PID) == 0);
    driver_call_t c = { DRIVER_OP_MAP_MEM, id, 0, 0, 0, DRIVER_PAGE_SIZE, 0 };
    int ok = handle_driver_call(DRIVER_KERNEL_PID, &c) == DRV_OK;
    uint64_t pa = 0;
    ok = ok && vmm_translate(as, c.value, &pa, 0) == 0 && pa == driver_devices[id].mem_base;
    int pages = driver_unbind(id); /* leaves the page mapped for unbind to remove */
    ok = ok && pages == 1 && vmm_translate(as, c.value, 0, 0) != 0;
    driver_set_kernel_space(0);
    vmm_space_destroy(as);
    ST_CHECK(ok);
    ST_CHECK(pmm_free_frames() == free0);
    ST_CHECK(driver_audit.recorded == logged);
    return 0;
}

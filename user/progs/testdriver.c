/* testdriver [run|hold|use-after-unmap]: a ring-3 driver that exercises
 * Driver Space (docs/DRIVER_SPACE.md).
 *
 * It starts unbound: the shell binds it with `drvreg <id> <pid>` (or plain
 * `drvreg <id>`, which picks the newest user process). Until then it polls
 * GET_INFO every POLL_MS, saying once what it waits for, and gives up after
 * WAIT_MS. Device ids are fixed by the kernel's registry: 0 demo (all
 * capabilities), 1 sensor (read + info), 2 nomap (no map), 3 spare, which
 * this program expects NOT to be bound to it.
 *
 *   run (default)    needs 0, 1, 2. Every opcode and every error path, one
 *                    line per step: "testdriver: <step> expected=<X>
 *                    actual=<Y> ok|FAIL", then "testdriver: <n> steps, <m>
 *                    failed"; exit status 0 only if none failed.
 *   hold             needs 0. Maps page 0 of demo's memory, writes a text
 *                    there (drvinfo 0 shows it), then keeps reading it for up
 *                    to HOLD_MS: a drvunreg meanwhile makes the next read a
 *                    [KILL], a kill releases the binding.
 *   use-after-unmap  needs 0. Maps, unmaps, then touches the page: [KILL]. */
#include "ulib.h"
#include "lib/printf.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

#define DEMO   0u
#define SENSOR 1u
#define NOMAP  2u
#define SPARE  3u

#define POLL_MS 100
#define WAIT_MS 30000
#define HOLD_MS 60000
#define PAGE    DRIVER_PAGE_SIZE

#define HOLD_TEXT "SECoS driver space: held"

static int steps, failed;
static long pid;

static const char *result_name(long r) {
    static const char *const names[] = {
        "DRV_OK", "DRV_ERR_DEVICE", "DRV_ERR_BINDING", "DRV_ERR_OPCODE",
        "DRV_ERR_PERM", "DRV_ERR_RANGE", "DRV_ERR_ARGS", "DRV_ERR_RATE",
    };
    if (r >= 0 && r < (long)(sizeof names / sizeof names[0])) return names[r];
    if (r == -EFAULT) return "EFAULT";
    if (r == -ENOMEM) return "ENOMEM";
    return "?";
}

static void report(const char *step, long expected, long actual) {
    int ok = expected == actual;
    steps++;
    failed += !ok;
    printf("testdriver: %s expected=%s actual=%s %s\n", step, result_name(expected), result_name(actual),
           ok ? "ok" : "FAIL");
}

/* A condition rather than a call: reported as DRV_OK when it holds. */
static void check(const char *step, int cond) { report(step, DRV_OK, cond ? DRV_OK : DRV_ERR_ARGS); }

static long drv(uint32_t op, uint32_t dev, uint64_t reg, uint64_t value, uint64_t moff, uint64_t mlen,
                uint32_t flags, driver_call_t *out) {
    driver_call_t c = { op, dev, reg, value, moff, mlen, flags };
    long r = sys_driver(&c);
    if (out) *out = c;
    return r;
}

static long step(const char *name, long expected, uint32_t op, uint32_t dev, uint64_t reg, uint64_t value,
                 uint64_t moff, uint64_t mlen, uint32_t flags, driver_call_t *out) {
    long r = drv(op, dev, reg, value, moff, mlen, flags, out);
    report(name, expected, r);
    return r;
}

/* Polls until every device in devs is ours (GET_INFO succeeds), saying once
 * what it waits for. Each refused poll is an audited DRV_ERR_BINDING, hence
 * the slow poll. */
static const char *mode = ""; /* the argument, for the drvrun hint */

static int wait_bound(const uint32_t *devs, int n) {
    char list[64] = "", ids[64] = "";
    for (int i = 0, at = 0, at2 = 0; i < n && at < (int)sizeof list && at2 < (int)sizeof ids; i++) {
        at += ksnprintf(list + at, sizeof list - (size_t)at, " %u", devs[i]);
        at2 += ksnprintf(ids + at2, sizeof ids - (size_t)at2, "%s%u", i ? "," : "", devs[i]);
    }
    /* One printf, one write: the line cannot be split by shell output. Under
     * drvrun the devices are bound already and the wait ends at once. */
    printf("testdriver: pid %ld waiting for devices%s (from a free console: drvreg <id> %ld for each; "
           "or start me with: drvrun %s testdriver%s%s)\n", pid, list, pid, ids, mode[0] ? " " : "", mode);
    for (int i = 0, waited = 0; i < n; waited += POLL_MS) {
        long r = drv(DRIVER_OP_GET_INFO, devs[i], 0, 0, 0, 0, 0, 0);
        if (r == DRV_OK) { i++; continue; }
        if (r != DRV_ERR_BINDING) {
            printf("testdriver: device %u: GET_INFO says %s\n", devs[i], result_name(r));
            return -1;
        }
        if (waited >= WAIT_MS) {
            printf("testdriver: timed out waiting for device %u\n", devs[i]);
            return -1;
        }
        sys_sleep(POLL_MS);
    }
    printf("testdriver: bound\n");
    return 0;
}

static void info_steps(void) {
    driver_call_t c;
    step("get_info_demo", DRV_OK, DRIVER_OP_GET_INFO, DEMO, 0, 0, 0, 0, DRIVER_FLAG_AUDIT, &c);
    check("get_info_demo_caps", DRIVER_INFO_CAPS(&c) == (DRIVER_CAP_READ | DRIVER_CAP_WRITE | DRIVER_CAP_MAP |
                                                          DRIVER_CAP_INFO));
    check("get_info_demo_sizes", DRIVER_INFO_REG_SIZE(&c) == 64 && DRIVER_INFO_MEM_SIZE(&c) == 4 * PAGE);
    step("get_info_sensor", DRV_OK, DRIVER_OP_GET_INFO, SENSOR, 0, 0, 0, 0, 0, &c);
    check("get_info_sensor_caps", DRIVER_INFO_CAPS(&c) == (DRIVER_CAP_READ | DRIVER_CAP_INFO));
}

static void register_steps(void) {
    driver_call_t c;
    step("write_reg", DRV_OK, DRIVER_OP_WRITE_REG, DEMO, 8, 0x1122334455667788ul, 0, 0, DRIVER_FLAG_AUDIT, 0);
    step("read_reg", DRV_OK, DRIVER_OP_READ_REG, DEMO, 8, 0, 0, 0, 0, &c);
    check("read_reg_value", c.value == 0x1122334455667788ul);
    step("read_reg_last", DRV_OK, DRIVER_OP_READ_REG, DEMO, 56, 0, 0, 0, 0, 0);
    step("read_reg_sensor", DRV_OK, DRIVER_OP_READ_REG, SENSOR, 0, 0, 0, 0, 0, &c);
    check("read_reg_sensor_id", c.value == 0x534e5352);
}

/* Every refusal, in the order the kernel checks. */
static void error_steps(void) {
    step("no_device", DRV_ERR_DEVICE, DRIVER_OP_GET_INFO, 99, 0, 0, 0, 0, 0, 0);
    step("no_device_max", DRV_ERR_DEVICE, DRIVER_OP_GET_INFO, 0xffffffffu, 0, 0, 0, 0, 0, 0);
    step("unbound_device", DRV_ERR_BINDING, DRIVER_OP_READ_REG, SPARE, 0, 0, 0, 0, 0, 0);
    step("bad_opcode_0", DRV_ERR_OPCODE, 0, DEMO, 0, 0, 0, 0, 0, 0);
    step("bad_opcode_99", DRV_ERR_OPCODE, 99, DEMO, 0, 0, 0, 0, 0, 0);
    step("sensor_write", DRV_ERR_PERM, DRIVER_OP_WRITE_REG, SENSOR, 0, 1, 0, 0, 0, 0);
    step("sensor_map", DRV_ERR_PERM, DRIVER_OP_MAP_MEM, SENSOR, 0, 0, 0, PAGE, 0, 0);
    step("nomap_map", DRV_ERR_PERM, DRIVER_OP_MAP_MEM, NOMAP, 0, 0, 0, PAGE, 0, 0);
    step("nomap_unmap", DRV_ERR_PERM, DRIVER_OP_UNMAP_MEM, NOMAP, 0, 0, 0, PAGE, 0, 0);
    step("reg_offset_max", DRV_ERR_RANGE, DRIVER_OP_READ_REG, DEMO, ~0ul, 0, 0, 0, 0, 0);
    step("reg_past_end", DRV_ERR_RANGE, DRIVER_OP_WRITE_REG, DEMO, 64, 0, 0, 0, 0, 0);
    step("reg_straddles_end", DRV_ERR_RANGE, DRIVER_OP_READ_REG, DEMO, 60, 0, 0, 0, 0, 0);
    step("reg_misaligned", DRV_ERR_ARGS, DRIVER_OP_READ_REG, DEMO, 4, 0, 0, 0, 0, 0);
    step("mem_offset_max", DRV_ERR_RANGE, DRIVER_OP_MAP_MEM, DEMO, 0, 0, ~0ul, PAGE, 0, 0);
    step("mem_length_wraps", DRV_ERR_RANGE, DRIVER_OP_MAP_MEM, DEMO, 0, 0, PAGE, ~0ul - (PAGE - 1), 0, 0);
    step("mem_past_end", DRV_ERR_RANGE, DRIVER_OP_MAP_MEM, DEMO, 0, 0, 0, 5 * PAGE, 0, 0);
    step("mem_zero_length", DRV_ERR_ARGS, DRIVER_OP_MAP_MEM, DEMO, 0, 0, 0, 0, 0, 0);
    step("mem_offset_misaligned", DRV_ERR_ARGS, DRIVER_OP_MAP_MEM, DEMO, 0, 0, 100, PAGE, 0, 0);
    step("mem_length_misaligned", DRV_ERR_ARGS, DRIVER_OP_MAP_MEM, DEMO, 0, 0, 0, 100, 0, 0);
    step("unknown_flag", DRV_ERR_ARGS, DRIVER_OP_GET_INFO, DEMO, 0, 0, 0, 0, 0x80000000u, 0);
    step("unmap_not_mapped", DRV_ERR_ARGS, DRIVER_OP_UNMAP_MEM, DEMO, 0, 0, 0, PAGE, 0, 0);
}

static void memory_steps(void) {
    driver_call_t c;
    long r = step("map_mem", DRV_OK, DRIVER_OP_MAP_MEM, DEMO, 0, 0, 0, 2 * PAGE, DRIVER_FLAG_AUDIT, &c);
    if (r != DRV_OK) return;
    check("map_mem_address", c.value == DRIVER_MAP_BASE + DEMO * DRIVER_MAP_STRIDE);
    volatile char *mem = (volatile char *)c.value;
    const char text[] = "SECoS driver space";
    for (unsigned i = 0; i < sizeof text; i++) mem[i] = text[i];
    volatile uint64_t *second = (volatile uint64_t *)(c.value + PAGE);
    *second = 0xfeedfacecafebeeful;
    int same = *second == 0xfeedfacecafebeeful;
    for (unsigned i = 0; i < sizeof text; i++) same = same && mem[i] == text[i];
    check("map_mem_readback", same);
    step("map_mem_again", DRV_ERR_ARGS, DRIVER_OP_MAP_MEM, DEMO, 0, 0, PAGE, PAGE, 0, 0);
    step("unmap_mem_partial", DRV_OK, DRIVER_OP_UNMAP_MEM, DEMO, 0, 0, PAGE, PAGE, DRIVER_FLAG_AUDIT, 0);
    step("unmap_mem_again", DRV_ERR_ARGS, DRIVER_OP_UNMAP_MEM, DEMO, 0, 0, 0, 2 * PAGE, 0, 0);
    /* The kernel zeroes nothing on unmap: mapping page 1 again shows what we wrote. */
    r = step("map_mem_remap", DRV_OK, DRIVER_OP_MAP_MEM, DEMO, 0, 0, PAGE, PAGE, 0, &c);
    if (r == DRV_OK) check("map_mem_remap_data", *(volatile uint64_t *)c.value == 0xfeedfacecafebeeful);
    step("unmap_mem", DRV_OK, DRIVER_OP_UNMAP_MEM, DEMO, 0, 0, 0, 2 * PAGE, DRIVER_FLAG_AUDIT, 0);
}

/* The call struct itself must be a user buffer the kernel may write. */
static void pointer_steps(void) {
    static const driver_call_t ro = { DRIVER_OP_GET_INFO, DEMO, 0, 0, 0, 0, 0 };
    report("call_null", -EFAULT, sys_driver(0));
    report("call_kernel", -EFAULT, sys_driver((driver_call_t *)0xffffffff80100000ul));
    report("call_readonly", -EFAULT, sys_driver((driver_call_t *)&ro));
    report("call_int80", DRV_OK, sys_driver_int80(&(driver_call_t){ DRIVER_OP_GET_INFO, DEMO, 0, 0, 0, 0, 0 }));
}

/* Spends the (pid, READ_REG) bucket, then waits for it to refill. */
static void rate_steps(void) {
    long r = DRV_OK;
    int calls = 0;
    while (r == DRV_OK && calls < 100000) {
        r = drv(DRIVER_OP_READ_REG, SENSOR, 8, 0, 0, 0, 0, 0);
        calls++;
    }
    printf("testdriver: rate limit hit after %d calls\n", calls);
    report("rate_limit", DRV_ERR_RATE, r);
    step("rate_other_opcode", DRV_OK, DRIVER_OP_GET_INFO, SENSOR, 0, 0, 0, 0, 0, 0); /* its own bucket */
    sys_sleep(500);
    step("rate_refilled", DRV_OK, DRIVER_OP_READ_REG, SENSOR, 8, 0, 0, 0, 0, 0);
}

static int run_all(void) {
    static const uint32_t devs[] = { DEMO, SENSOR, NOMAP };
    if (wait_bound(devs, 3)) return 2;
    info_steps();
    register_steps();
    error_steps();
    memory_steps();
    pointer_steps();
    rate_steps();
    printf("testdriver: %d steps, %d failed\n", steps, failed);
    return failed ? 1 : 0;
}

static volatile char *map_demo_page(void) {
    driver_call_t c;
    long r = drv(DRIVER_OP_MAP_MEM, DEMO, 0, 0, 0, PAGE, DRIVER_FLAG_AUDIT, &c);
    if (r != DRV_OK) {
        printf("testdriver: MAP_MEM failed: %s\n", result_name(r));
        return 0;
    }
    return (volatile char *)c.value;
}

static int hold(void) {
    static const uint32_t devs[] = { DEMO };
    if (wait_bound(devs, 1)) return 2;
    volatile char *mem = map_demo_page();
    if (!mem) return 1;
    const char text[] = HOLD_TEXT;
    for (unsigned i = 0; i < sizeof text; i++) mem[i] = text[i];
    printf("testdriver: holding %#lx (drvunreg %u or kill %ld ends it)\n", (unsigned long)mem, DEMO, pid);
    for (int t = 0; t < HOLD_MS; t += POLL_MS) {
        if (mem[0] != 'S') {  /* a read of the mapping: faults once it is gone */
            printf("testdriver: the held page changed\n");
            return 1;
        }
        sys_sleep(POLL_MS);
    }
    printf("testdriver: hold timed out\n");
    return 1;
}

static int use_after_unmap(void) {
    static const uint32_t devs[] = { DEMO };
    if (wait_bound(devs, 1)) return 2;
    volatile char *mem = map_demo_page();
    if (!mem) return 1;
    mem[0] = 'x';
    long r = drv(DRIVER_OP_UNMAP_MEM, DEMO, 0, 0, 0, PAGE, DRIVER_FLAG_AUDIT, 0);
    printf("testdriver: unmapped (%s), touching %#lx\n", result_name(r), (unsigned long)mem);
    mem[0] = 'y';
    printf("testdriver: use-after-unmap NOT blocked\n");
    return 1;
}

int main(int argc, char **argv) {
    pid = sys_getpid();
    mode = argc > 1 ? argv[1] : "";
    if (mode[0] == '\0' || strcmp(mode, "run") == 0) return run_all();
    if (strcmp(mode, "hold") == 0) return hold();
    if (strcmp(mode, "use-after-unmap") == 0) return use_after_unmap();
    printf("usage: testdriver [run|hold|use-after-unmap]\n");
    return 2;
}

/* Fuzzes driver_check() (dspace/driver_check.c), the Driver Space
 * permission engine, with a fuzzed registry, caller and driver_call_t, and
 * compares its verdict with the rules of driver_check.h written out again
 * in 128-bit arithmetic (so no range test can wrap). The rest of the input
 * feeds driver_op_parse() (the opcode names of `drvlog op=...`). */
#include "tests/fuzz/fuzz.h"
#include "dspace/driver_check.h"

typedef unsigned __int128 u128;

struct src { const uint8_t *p; size_t n; };

/* The next `bytes` bytes little-endian; zeros once the input runs out. */
static uint64_t take(struct src *s, size_t bytes)
{
    uint64_t v = 0;
    size_t k = bytes < s->n ? bytes : s->n;
    memcpy(&v, s->p, k);
    s->p += k;
    s->n -= k;
    return v;
}

/* driver_check.h, step by step. */
static int expected(const device_desc_t *devs, uint32_t ndevs, int caller, const driver_call_t *c)
{
    if (c->device_id >= ndevs || !devs[c->device_id].name) return DRV_ERR_DEVICE;
    const device_desc_t *d = &devs[c->device_id];
    if (d->bind->owner == DRIVER_UNBOUND || d->bind->owner != caller) return DRV_ERR_BINDING;
    int reg = c->opcode == DRIVER_OP_READ_REG || c->opcode == DRIVER_OP_WRITE_REG;
    int mem = c->opcode == DRIVER_OP_MAP_MEM || c->opcode == DRIVER_OP_UNMAP_MEM;
    uint32_t cap = c->opcode == DRIVER_OP_READ_REG ? DRIVER_CAP_READ
                 : c->opcode == DRIVER_OP_WRITE_REG ? DRIVER_CAP_WRITE
                 : mem ? DRIVER_CAP_MAP : c->opcode == DRIVER_OP_GET_INFO ? DRIVER_CAP_INFO : 0;
    if (!cap) return DRV_ERR_OPCODE;
    if (!(d->caps & cap)) return DRV_ERR_PERM;
    if (reg && (u128)c->reg_offset + DRIVER_REG_WIDTH > d->reg_size) return DRV_ERR_RANGE;
    if (mem && (u128)c->mem_offset + c->mem_length > d->mem_size) return DRV_ERR_RANGE;
    if (c->flags & ~DRIVER_FLAGS_KNOWN) return DRV_ERR_ARGS;
    if (reg && c->reg_offset % DRIVER_REG_WIDTH) return DRV_ERR_ARGS;
    if (mem && (c->mem_length == 0 || c->mem_offset % DRIVER_PAGE_SIZE || c->mem_length % DRIVER_PAGE_SIZE))
        return DRV_ERR_ARGS;
    return DRV_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct src in = { data, size };
    uint32_t ndevs = (uint32_t)(take(&in, 1) % (DRIVER_MAX_DEVICES + 1));
    int caller = (int8_t)take(&in, 1);
    /* Exactly ndevs entries: ASan flags any look past the registry. */
    device_desc_t *devs = malloc(ndevs ? ndevs * sizeof *devs : 1);
    struct device_binding *binds = malloc(ndevs ? ndevs * sizeof *binds : 1);
    CHECK(devs && binds);
    for (uint32_t i = 0; i < ndevs; i++) {
        devs[i] = (device_desc_t){ 0 };
        binds[i] = (struct device_binding){ 0 };
        devs[i].bind = &binds[i];
        devs[i].name = (take(&in, 1) & 1) ? "dev" : NULL;
        devs[i].caps = (uint32_t)take(&in, 1);
        devs[i].bind->owner = (int8_t)take(&in, 1);
        devs[i].reg_size = take(&in, 8);
        devs[i].mem_size = take(&in, 8);
        devs[i].bind->mapped = take(&in, 8);
    }
    driver_call_t call = { 0 };
    call.opcode = (uint32_t)take(&in, 4);
    call.device_id = (uint32_t)take(&in, 4);
    call.reg_offset = take(&in, 8);
    call.value = take(&in, 8);
    call.mem_offset = take(&in, 8);
    call.mem_length = take(&in, 8);
    call.flags = (uint32_t)take(&in, 4);

    int r = driver_check(devs, ndevs, caller, &call);
    CHECK(r == expected(devs, ndevs, caller, &call));
    CHECK(strcmp(driver_result_name(r), "?") != 0);
    CHECK((driver_op_cap(call.opcode) != 0) == (strcmp(driver_op_name(call.opcode), "?") != 0));
    free(devs);
    free(binds);

    /* The rest, as a string, is an opcode name or number. */
    char *s = fuzz_strndup(in.p, in.n);
    char caps[5];
    uint32_t op = 0xdeadbeef;
    unsigned long long num;
    if (driver_op_parse(s, &op) == 0)
        CHECK(parse_u64(s, &num) == 0 ? op == num : driver_op_cap(op) != 0);
    driver_caps_str((uint32_t)size, caps);
    CHECK(strlen(caps) == 4);
    free(s);
    return 0;
}

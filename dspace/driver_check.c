/* The Driver Space permission engine (see driver_check.h). Pure: it reads
 * the registry it is given and nothing else, so the host tests can drive
 * every path. Every range test compares against the size first and
 * subtracts only what is known not to underflow: no sum of two user values
 * is ever formed, so nothing can wrap. */
#include "dspace/driver_check.h"
#include "lib/string.h"
#include "secos/errno.h"

uint32_t driver_op_cap(uint32_t opcode) {
    switch (opcode) {
    case DRIVER_OP_READ_REG:  return DRIVER_CAP_READ;
    case DRIVER_OP_WRITE_REG: return DRIVER_CAP_WRITE;
    case DRIVER_OP_MAP_MEM:
    case DRIVER_OP_UNMAP_MEM: return DRIVER_CAP_MAP;
    case DRIVER_OP_GET_INFO:  return DRIVER_CAP_INFO;
    default:                  return 0;
    }
}

/* Step 5: inside the register block or memory region. */
static int in_range(const device_desc_t *d, const driver_call_t *c) {
    switch (c->opcode) {
    case DRIVER_OP_READ_REG:
    case DRIVER_OP_WRITE_REG:
        /* the whole 8-byte register must fit: off + 8 <= size, rewritten */
        return d->reg_size >= DRIVER_REG_WIDTH && c->reg_offset <= d->reg_size - DRIVER_REG_WIDTH;
    case DRIVER_OP_MAP_MEM:
    case DRIVER_OP_UNMAP_MEM:
        /* off + len <= size, rewritten so that it cannot wrap */
        return c->mem_offset <= d->mem_size && c->mem_length <= d->mem_size - c->mem_offset;
    default:
        return 1; /* GET_INFO takes no offsets */
    }
}

/* Step 6: alignment, non-empty ranges, known flags. */
static int args_ok(const driver_call_t *c) {
    if (c->flags & ~DRIVER_FLAGS_KNOWN) return 0;
    switch (c->opcode) {
    case DRIVER_OP_READ_REG:
    case DRIVER_OP_WRITE_REG:
        return c->reg_offset % DRIVER_REG_WIDTH == 0;
    case DRIVER_OP_MAP_MEM:
    case DRIVER_OP_UNMAP_MEM:
        return c->mem_length != 0 && c->mem_offset % DRIVER_PAGE_SIZE == 0 &&
               c->mem_length % DRIVER_PAGE_SIZE == 0;
    default:
        return 1;
    }
}

int driver_check(const device_desc_t *devs, uint32_t ndevs, int caller, const driver_call_t *call) {
    if (call->device_id >= ndevs || !devs[call->device_id].name) return DRV_ERR_DEVICE;
    const device_desc_t *d = &devs[call->device_id];
    if (d->bind->owner == DRIVER_UNBOUND || d->bind->owner != caller) return DRV_ERR_BINDING;
    uint32_t cap = driver_op_cap(call->opcode);
    if (!cap) return DRV_ERR_OPCODE;
    if (!(d->caps & cap)) return DRV_ERR_PERM;
    if (!in_range(d, call)) return DRV_ERR_RANGE;
    if (!args_ok(call)) return DRV_ERR_ARGS;
    return DRV_OK;
}

static const char *const op_names[DRIVER_OP_COUNT] = {
    [DRIVER_OP_READ_REG] = "READ_REG",   [DRIVER_OP_WRITE_REG] = "WRITE_REG",
    [DRIVER_OP_MAP_MEM] = "MAP_MEM",     [DRIVER_OP_UNMAP_MEM] = "UNMAP_MEM",
    [DRIVER_OP_GET_INFO] = "GET_INFO",
};
/* Short names accepted by driver_op_parse (drvlog op=map). */
static const char *const op_short[DRIVER_OP_COUNT] = {
    [DRIVER_OP_READ_REG] = "read", [DRIVER_OP_WRITE_REG] = "write", [DRIVER_OP_MAP_MEM] = "map",
    [DRIVER_OP_UNMAP_MEM] = "unmap", [DRIVER_OP_GET_INFO] = "info",
};

const char *driver_op_name(uint32_t opcode) {
    return opcode < DRIVER_OP_COUNT && op_names[opcode] ? op_names[opcode] : "?";
}

const char *driver_result_name(long result) {
    static const char *const names[] = {
        [DRV_OK] = "DRV_OK",           [DRV_ERR_DEVICE] = "DRV_ERR_DEVICE",
        [DRV_ERR_BINDING] = "DRV_ERR_BINDING", [DRV_ERR_OPCODE] = "DRV_ERR_OPCODE",
        [DRV_ERR_PERM] = "DRV_ERR_PERM",       [DRV_ERR_RANGE] = "DRV_ERR_RANGE",
        [DRV_ERR_ARGS] = "DRV_ERR_ARGS",       [DRV_ERR_RATE] = "DRV_ERR_RATE",
    };
    if (result >= 0 && result < (long)(sizeof names / sizeof names[0])) return names[result];
    if (result == -EFAULT) return "EFAULT";
    if (result == -ENOMEM) return "ENOMEM";
    return "?";
}

/* Case-insensitive equality for the ASCII letters and '_' of opcode names. */
static int name_eq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'a' && *a <= 'z') ? (char)(*a - 32) : *a;
        char y = (*b >= 'a' && *b <= 'z') ? (char)(*b - 32) : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

int driver_op_parse(const char *s, uint32_t *opcode) {
    unsigned long long n;
    if (parse_u64(s, &n) == 0) {
        if (n > 0xffffffffULL) return -1;
        *opcode = (uint32_t)n; /* any number: the log also holds unknown opcodes */
        return 0;
    }
    for (uint32_t op = 1; op < DRIVER_OP_COUNT; op++) {
        if (name_eq(s, op_names[op]) || name_eq(s, op_short[op])) {
            *opcode = op;
            return 0;
        }
    }
    return -1;
}

void driver_caps_str(uint32_t caps, char *buf) {
    static const char letters[4] = { 'R', 'W', 'M', 'I' };
    for (int i = 0; i < 4; i++) buf[i] = (caps & (1u << i)) ? letters[i] : '-';
    buf[4] = '\0';
}

/* SYS_driver and the call path behind it. The user's driver_call_t is
 * copied in once; every check and the operation work on that kernel copy,
 * so the caller cannot change the call between check and use. */
#include "dspace/driver_space.h"
#include "dspace/driver_check.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "mm/usercopy.h"
#include "mm/vmm.h"
#include "kernel/time.h"
#include "secos/errno.h"

#define PAGE DRIVER_PAGE_SIZE

static uint64_t window(uint32_t id) { return DRIVER_MAP_BASE + (uint64_t)id * DRIVER_MAP_STRIDE; }

/* Bits first .. first+n-1; the engine guarantees first + n <= 64. */
static uint64_t page_mask(uint64_t first, uint64_t n) {
    return (n >= 64 ? ~0ULL : (1ULL << n) - 1) << first;
}

/* A demand-zero region of the caller's own (mmap) over the window would let
 * a later fault put an owned page where device memory is expected. */
static int overlaps_demand_zero(struct address_space *as, uint64_t start, uint64_t end) {
    return vmm_region_overlaps(as, start, end);
}

static long map_mem(device_desc_t *d, uint32_t id, struct address_space *as, driver_call_t *c) {
    uint64_t n = c->mem_length / PAGE, mask = page_mask(c->mem_offset / PAGE, n);
    uint64_t va = window(id) + c->mem_offset;
    if (!as || (d->bind->mapped & mask) || overlaps_demand_zero(as, va, va + c->mem_length)) return DRV_ERR_ARGS;
    for (uint64_t i = 0; i < n; i++) {
        /* USER, RW, NX and no PTE_OWNED: the frame stays the registry's. */
        int r = vmm_map(as, va + i * PAGE, d->mem_base + c->mem_offset + i * PAGE, PTE_P | PTE_U | PTE_W | PTE_NX);
        if (r) {
            while (i--) vmm_unmap(as, va + i * PAGE, 0);
            return r == -ENOMEM ? -ENOMEM : DRV_ERR_ARGS; /* -EEXIST: a page of the caller's own is there */
        }
    }
    d->bind->mapped |= mask;
    c->value = va;
    return DRV_OK;
}

static long unmap_mem(device_desc_t *d, uint32_t id, struct address_space *as, driver_call_t *c) {
    uint64_t first = c->mem_offset / PAGE, n = c->mem_length / PAGE, mask = page_mask(first, n);
    if ((d->bind->mapped & mask) != mask) return DRV_ERR_ARGS; /* every page must be mapped now */
    for (uint64_t i = 0; i < n; i++) driver_unmap_page(as, d, id, first + i);
    d->bind->mapped &= ~mask;
    return DRV_OK;
}

/* The operation itself, after every check passed. */
static long perform(int pid, driver_call_t *c) {
    device_desc_t *d = &driver_devices[c->device_id];
    switch (c->opcode) {
    case DRIVER_OP_READ_REG:
        c->value = d->regs[c->reg_offset / DRIVER_REG_WIDTH];
        return DRV_OK;
    case DRIVER_OP_WRITE_REG:
        d->regs[c->reg_offset / DRIVER_REG_WIDTH] = c->value;
        return DRV_OK;
    case DRIVER_OP_MAP_MEM:
        return map_mem(d, c->device_id, driver_owner_space(pid), c);
    case DRIVER_OP_UNMAP_MEM:
        return unmap_mem(d, c->device_id, driver_owner_space(pid), c);
    case DRIVER_OP_GET_INFO:
        c->value = d->caps;
        c->reg_offset = d->reg_size;
        c->mem_offset = 0;
        c->mem_length = d->mem_size;
        return DRV_OK;
    }
    return DRV_ERR_OPCODE; /* not reached: driver_check knows the same opcodes */
}

long handle_driver_call(int pid, driver_call_t *call) {
    driver_registry_init();
    long r = driver_check(driver_devices, driver_ndevices, pid, call);
    /* Only a call that would be performed spends a token: the buckets are per
     * known opcode, and a refused call does no device work. */
    if (r == DRV_OK && !rl_allow(&driver_rate, pid, call->opcode, timer_ticks())) r = DRV_ERR_RATE;
    if (r == DRV_OK) r = perform(pid, call);
    audit_entry_t e = { timer_ticks(), pid, call->device_id, call->opcode, (int32_t)r };
    audit_record(&driver_audit, &e, call->flags);
    return r;
}

void driver_audit_fault(int pid, long err) {
    driver_registry_init();
    audit_entry_t e = { timer_ticks(), pid, DRIVER_DEV_NONE, 0, (int32_t)err };
    audit_record(&driver_audit, &e, 0);
}

/* SYS_driver(driver_call_t *call): a DRV_* result, or -EFAULT if call is not
 * a user buffer we may both read and write (checked before anything is done,
 * so a successful operation can always report its results). */
long sys_driver(SYSARGS) {
    (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
    driver_call_t call;
    if (!user_range_valid(a0, sizeof call, 1) || copy_from_user(&call, a0, sizeof call)) {
        driver_audit_fault(current->pid, -EFAULT);
        return -EFAULT;
    }
    long r = handle_driver_call(current->pid, &call);
    /* The padding bytes written back are the caller's own, copied in above. */
    if (r == DRV_OK && copy_to_user(a0, &call, sizeof call)) return -EFAULT;
    return r;
}

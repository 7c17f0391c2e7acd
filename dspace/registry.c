/* The device registry and bindings. Devices are simulated: each register
 * block is a shadow array in kernel .bss and each memory region is a run of
 * frames taken from the PMM once, at init, and never returned -- the frames
 * stay the kernel's for the whole uptime, which is what makes mapping them
 * into a driver (without PTE_OWNED) safe: no unmap or exit can free them. */
#include "dspace/driver_space.h"
#include "lib/ro_after_init.h"
#include "kernel/proc.h"
#include "arch/x86_64/panic.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "mm/physmap.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "secos/errno.h"

device_desc_t driver_devices[DRIVER_MAX_DEVICES] __ro_after_init;
static struct device_binding bindings[DRIVER_MAX_DEVICES];
uint32_t driver_ndevices;
rl_table_t driver_rate;
audit_ring_t driver_audit;

static audit_entry_t audit_storage[DRIVER_AUDIT_CAPACITY];
static struct address_space *kernel_caller_space;
static int initialised;

/* Register files and their reset values (register 0 is an ID register by
 * convention; the rest start with recognisable values). */
static uint64_t demo_regs[8], sensor_regs[4], nomap_regs[8], spare_regs[2];
static const uint64_t demo_reset[8] = { 0x4f4d4544 /* "DEMO" */, 0, 0, 0, 0, 0, 0, 0 };
static const uint64_t sensor_reset[4] = { 0x534e5352 /* "RSNS" */, 21, 1013, 0 };
static const uint64_t nomap_reset[8] = { 0x50414d4e /* "NMAP" */, 0, 0, 0, 0, 0, 0, 0 };
static const uint64_t spare_reset[2] = { 0x45524150 /* "PARE" */, 0 };

struct device_spec {
    const char *name;
    uint32_t caps;
    uint64_t *regs;
    const uint64_t *reset;
    uint64_t reg_size;
    uint64_t pages;
};

/* Different capability masks on purpose: every DRV_ERR_PERM path has a device. */
static const struct device_spec specs[] = {
    { "demo",   DRIVER_CAP_READ | DRIVER_CAP_WRITE | DRIVER_CAP_MAP | DRIVER_CAP_INFO,
      demo_regs, demo_reset, sizeof demo_regs, 4 },
    { "sensor", DRIVER_CAP_READ | DRIVER_CAP_INFO, sensor_regs, sensor_reset, sizeof sensor_regs, 1 },
    { "nomap",  DRIVER_CAP_READ | DRIVER_CAP_WRITE | DRIVER_CAP_INFO, nomap_regs, nomap_reset,
      sizeof nomap_regs, 2 },
    { "spare",  DRIVER_CAP_READ | DRIVER_CAP_WRITE | DRIVER_CAP_MAP | DRIVER_CAP_INFO,
      spare_regs, spare_reset, sizeof spare_regs, 1 },
};

static void reset_device(device_desc_t *d) {
    memcpy(d->regs, d->reg_reset, d->reg_size);
    memset(phys_to_virt(d->mem_base), 0, d->mem_size);
}

static void release_bindings(struct proc *p) { driver_space_release(p->pid); }

int driver_registry_init(void) {
    if (initialised) return 0;
    _Static_assert(sizeof specs / sizeof specs[0] <= DRIVER_MAX_DEVICES, "too many devices");
    static int tables_ready;
    if (!tables_ready) { /* the limiter and the log need no memory: ready even if a region is not */
        tables_ready = 1;
        rl_init(&driver_rate, DRIVER_RATE_DEFAULT, DRIVER_BURST_DEFAULT, TIMER_HZ);
        audit_init(&driver_audit, audit_storage, DRIVER_AUDIT_CAPACITY);
        proc_add_release_hook(release_bindings);
        /* A new image never inherits the old one's devices (a forked child
         * has none: bindings are by pid, device windows are not copied). */
        proc_add_exec_hook(release_bindings);
    }
    /* From driver_ndevices: a retry after -ENOMEM keeps what it already has. */
    for (uint32_t i = driver_ndevices; i < sizeof specs / sizeof specs[0]; i++) {
        const struct device_spec *s = &specs[i];
        if (s->pages == 0 || s->pages > DRIVER_MEM_MAX_PAGES) panic("driver: device %s: bad region size", s->name);
        uint64_t base = pmm_alloc_contig(s->pages, 1, 0);
        if (!base) return -ENOMEM;
        device_desc_t *d = &driver_devices[i];
        bindings[i] = (struct device_binding){ DRIVER_UNBOUND, 0 };
        *d = (device_desc_t){ s->name, s->caps, s->regs, s->reg_size, s->reset, base,
                              s->pages * DRIVER_PAGE_SIZE, &bindings[i] };
        reset_device(d);
        driver_ndevices = i + 1;
    }
    initialised = 1;
    return 0;
}

device_desc_t *driver_device(uint32_t id) {
    return id < driver_ndevices ? &driver_devices[id] : 0;
}

void driver_set_kernel_space(struct address_space *as) { kernel_caller_space = as; }

struct address_space *driver_owner_space(int pid) {
    if (pid == DRIVER_KERNEL_PID) return kernel_caller_space;
    struct proc *p = proc_by_pid(pid);
    return p && !p->is_kernel ? p->as : 0;
}

int driver_bind(uint32_t id, int pid) {
    device_desc_t *d = driver_device(id);
    if (!d) return -EINVAL;
    if (d->bind->owner != DRIVER_UNBOUND) return -EBUSY;
    d->bind->owner = pid;
    d->bind->mapped = 0;
    return 0;
}

static int holds_binding(int pid) {
    for (uint32_t i = 0; i < driver_ndevices; i++)
        if (driver_devices[i].bind->owner == pid) return 1;
    return 0;
}

/* Removes page `page` of device id's window from as, but only if the PTE is
 * still the one MAP_MEM made (the device frame, not owned): a process that
 * munmapped over the window and faulted its own page in keeps that page. */
void driver_unmap_page(struct address_space *as, const device_desc_t *d, uint32_t id, uint64_t page) {
    uint64_t va = DRIVER_MAP_BASE + (uint64_t)id * DRIVER_MAP_STRIDE + page * DRIVER_PAGE_SIZE;
    uint64_t pa, flags;
    if (!as || vmm_translate(as, va, &pa, &flags) != 0) return;
    if (pa == d->mem_base + page * DRIVER_PAGE_SIZE && !(flags & PTE_OWNED)) vmm_unmap(as, va, 0);
}

int driver_unbind(uint32_t id) {
    device_desc_t *d = driver_device(id);
    if (!d) return -EINVAL;
    if (d->bind->owner == DRIVER_UNBOUND) return -ENOENT;
    int pid = d->bind->owner, pages = 0;
    struct address_space *as = driver_owner_space(pid);
    for (uint32_t i = 0; i < DRIVER_MEM_MAX_PAGES; i++) {
        if (!(d->bind->mapped & (1ULL << i))) continue;
        driver_unmap_page(as, d, id, i);
        pages++;
    }
    d->bind->mapped = 0;
    d->bind->owner = DRIVER_UNBOUND;
    reset_device(d);
    if (!holds_binding(pid)) rl_forget(&driver_rate, pid);
    return pages;
}

/* A process exits or is killed (a proc release hook), while p->as still exists. */
void driver_space_release(int pid) {
    if (!initialised) return;
    for (uint32_t i = 0; i < driver_ndevices; i++)
        if (driver_devices[i].bind->owner == pid) driver_unbind(i);
    rl_forget(&driver_rate, pid);
}

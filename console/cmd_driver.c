/* Driver Space shell commands: drvinfo, drvreg, drvunreg, drvrun, drvlog, drvrate.
 * (drvtest and the driver selftests are in tests/kernel/selftests_driver.c.) */
#include "dspace/driver_space.h"
#include "dspace/driver_check.h"
#include "console/shell.h"
#include "lib/console_out.h"
#include "kernel/proc.h"
#include "mm/physmap.h"
#include "lib/string.h"
#include "secos/errno.h"


/* A device id argument: its descriptor, or NULL after saying why. */
static device_desc_t *device_arg(const char *cmd, const char *s, uint32_t *id) {
    unsigned long long n;
    if (parse_u64(s, &n) || n >= driver_ndevices) {
        kprintf("%s: no device %s (devices 0..%u, see drvinfo)\n", cmd, s, driver_ndevices - 1);
        return 0;
    }
    *id = (uint32_t)n;
    return driver_device(*id);
}

static int live_user_process(const struct proc *p) {
    return p && !p->is_kernel && (p->state == PROC_READY || p->state == PROC_RUNNING || p->state == PROC_BLOCKED ||
                                  p->state == PROC_STOPPED);
}

/* drvreg's default: the newest live user process. pids only grow, so that is
 * the one started last (by elfload, typically). */
static int newest_user_pid(void) {
    int best = -1;
    for (int i = 0; i < PROC_MAX; i++)
        if (live_user_process(&proc_table[i]) && proc_table[i].pid > best) best = proc_table[i].pid;
    return best;
}

static void show_device_detail(uint32_t id, const device_desc_t *d) {
    char caps[5];
    driver_caps_str(d->caps, caps);
    kprintf("device %u: %s caps=%s owner=", id, d->name, caps);
    if (d->bind->owner == DRIVER_UNBOUND) kprintf("-");
    else kprintf("%d", d->bind->owner);
    kprintf(" mapped=%#lx window=%#lx\n", d->bind->mapped, DRIVER_MAP_BASE + (uint64_t)id * DRIVER_MAP_STRIDE);
    kprintf("regs:");
    for (uint64_t i = 0; i < d->reg_size / DRIVER_REG_WIDTH; i++) kprintf(" [%lu]=%#lx", i * DRIVER_REG_WIDTH, d->regs[i]);
    kprintf("\n");
    /* The start of the shadow memory, as hex and as text: what a driver
     * wrote through its mapping shows up here. */
    const uint8_t *m = phys_to_virt(d->mem_base);
    kprintf("mem[0..31]:");
    for (int i = 0; i < 32; i++) kprintf(" %02x", m[i]);
    kprintf("\nmem text: \"");
    for (int i = 0; i < 32 && m[i]; i++) kprintf("%c", m[i] >= 0x20 && m[i] < 0x7f ? m[i] : '.');
    kprintf("\"\n");
}

static int cmd_drvinfo(int argc, char **argv) {
    driver_registry_init();
    uint32_t id;
    if (argc > 2) { kprintf("usage: drvinfo [id]\n"); return -1; }
    if (argc == 2) {
        device_desc_t *d = device_arg("drvinfo", argv[1], &id);
        if (!d) return -1;
        show_device_detail(id, d);
        return 0;
    }
    kprintf("ID NAME     CAPS  REGS    MEM OWNER MAPPED\n");
    for (id = 0; id < driver_ndevices; id++) {
        const device_desc_t *d = &driver_devices[id];
        char caps[5];
        driver_caps_str(d->caps, caps);
        kprintf("%2u %-8s %s %5lu %6lu ", id, d->name, caps, d->reg_size, d->mem_size);
        if (d->bind->owner == DRIVER_UNBOUND) kprintf("%5s", "-");
        else kprintf("%5d", d->bind->owner);
        kprintf(" %#lx\n", d->bind->mapped);
    }
    kprintf("caps: R=READ_REG W=WRITE_REG M=MAP_MEM/UNMAP_MEM I=GET_INFO\n");
    kprintf("rate limit: %u calls/s, burst %u, per (process, opcode); %lu calls refused\n",
            driver_rate.cfg.per_second, driver_rate.cfg.burst, driver_rate.limited);
    kprintf("audit log: %u entries, %lu dropped, capacity %u\n", driver_audit.count, driver_audit.dropped,
            driver_audit.capacity);
    return 0;
}
SHELL_COMMAND(drvinfo, "drvinfo", "drvinfo [id]", "driver space: devices, capabilities, bindings (id: registers and memory)", cmd_drvinfo);

static int cmd_drvreg(int argc, char **argv) {
    driver_registry_init();
    uint32_t id;
    if (argc < 2 || argc > 3) { kprintf("usage: drvreg <id> [pid]\n"); return -1; }
    device_desc_t *d = device_arg("drvreg", argv[1], &id);
    if (!d) return -1;
    int pid;
    if (argc == 3) {
        unsigned long long n;
        if (parse_u64(argv[2], &n) || n > 0x7fffffff) { kprintf("drvreg: bad pid %s\n", argv[2]); return -1; }
        pid = (int)n;
    } else if ((pid = newest_user_pid()) < 0) {
        kprintf("drvreg: no user process to bind (start one with elfload, or give a pid)\n");
        return -1;
    }
    if (!live_user_process(proc_by_pid(pid))) {
        kprintf("drvreg: pid %d is not a live user process\n", pid);
        return -1;
    }
    if (d->bind->owner != DRIVER_UNBOUND) {
        kprintf("drvreg: device %u (%s) is already bound to pid %d (drvunreg %u first)\n", id, d->name, d->bind->owner, id);
        return -1;
    }
    driver_bind(id, pid);
    kprintf("drvreg: device %u (%s) bound to pid %d\n", id, d->name, pid);
    return 0;
}
SHELL_COMMAND(drvreg, "drvreg", "drvreg <id> [pid]", "bind a device to a process (default: the newest user process); exclusive", cmd_drvreg);

/* drvrun <id>[,<id>...] <name> [args]: the one-line way to run a driver in
 * the foreground. The program starts with the devices already bound (it runs
 * only once the console waits), so it never waits for a drvreg that the busy
 * console could not take. */
static int cmd_drvrun(int argc, char **argv) {
    driver_registry_init();
    if (argc < 3) { kprintf("usage: drvrun <id>[,<id>...] <name> [args...]\n"); return -1; }
    uint32_t ids[DRIVER_MAX_DEVICES];
    int n = 0;
    char list[64];
    if (strlcpy(list, argv[1], sizeof list) >= sizeof list) { kprintf("drvrun: device list too long\n"); return -1; }
    for (char *tok = list, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next) *next++ = '\0';
        uint32_t id;
        device_desc_t *d = device_arg("drvrun", tok, &id);
        if (!d) return -1;
        for (int i = 0; i < n; i++)
            if (ids[i] == id) { kprintf("drvrun: device %u listed twice\n", id); return -1; }
        if (n == DRIVER_MAX_DEVICES) { kprintf("drvrun: too many devices\n"); return -1; }
        if (d->bind->owner != DRIVER_UNBOUND) {
            kprintf("drvrun: device %u (%s) is already bound to pid %d (drvunreg %u first)\n", id, d->name,
                    d->bind->owner, id);
            return -1;
        }
        ids[n++] = id;
    }
    int pid = shell_start_program(argc - 2, argv + 2);
    if (pid < 0) return -1;
    for (int i = 0; i < n; i++) {
        driver_bind(ids[i], pid);
        kprintf("drvrun: device %u (%s) bound to pid %d\n", ids[i], driver_device(ids[i])->name, pid);
    }
    return shell_wait_foreground(pid);
}
SHELL_COMMAND(drvrun, "drvrun", "drvrun <id>[,<id>...] <name> [args...]",
              "run a driver program in the foreground with these devices bound to it (Ctrl-C stops it)", cmd_drvrun);

static int cmd_drvunreg(int argc, char **argv) {
    driver_registry_init();
    uint32_t id;
    if (argc != 2) { kprintf("usage: drvunreg <id>\n"); return -1; }
    device_desc_t *d = device_arg("drvunreg", argv[1], &id);
    if (!d) return -1;
    int pid = d->bind->owner;
    int pages = driver_unbind(id);
    if (pages < 0) {
        kprintf("drvunreg: device %u (%s) is not bound\n", id, d->name);
        return -1;
    }
    kprintf("drvunreg: device %u (%s) unbound from pid %d, %d page(s) unmapped\n", id, d->name, pid, pages);
    return 0;
}
SHELL_COMMAND(drvunreg, "drvunreg", "drvunreg <id>", "unbind a device: its mappings go, registers and memory reset", cmd_drvunreg);

static int cmd_drvlog(int argc, char **argv) {
    driver_registry_init();
    audit_filter_t f;
    if (argc == 2 && strcmp(argv[1], "clear") == 0) {
        audit_clear(&driver_audit);
        kprintf("drvlog: cleared\n");
        return 0;
    }
    if (argc > 2 || audit_filter_parse(argc == 2 ? argv[1] : 0, &f)) {
        kprintf("usage: drvlog [errors|dev=<n>|op=<code>|pid=<n>|clear]\n");
        return -1;
    }
    uint32_t cursor = 0, shown = 0;
    const audit_entry_t *e;
    while ((e = audit_next(&driver_audit, &cursor, &f))) {
        kprintf("tick=%lu pid=%d dev=", e->tick, e->pid);
        if (e->result == -EFAULT) kprintf("-"); /* the call was never read */
        else kprintf("%u", e->device);
        kprintf(" op=%s(%u) result=%s\n", driver_op_name(e->opcode), e->opcode, driver_result_name(e->result));
        shown++;
    }
    kprintf("drvlog: %u shown, %u in the log, %lu dropped\n", shown, driver_audit.count, driver_audit.dropped);
    return 0;
}
SHELL_COMMAND(drvlog, "drvlog", "drvlog [errors|dev=<n>|op=<code>|pid=<n>|clear]", "driver space audit log, oldest first", cmd_drvlog);

static int cmd_drvrate(int argc, char **argv) {
    driver_registry_init();
    if (argc == 3) {
        unsigned long long rate, burst;
        if (parse_u64(argv[1], &rate) || parse_u64(argv[2], &burst) || rate > RL_MAX_PER_SECOND ||
            burst > RL_MAX_BURST || rl_configure(&driver_rate, (uint32_t)rate, (uint32_t)burst)) {
            kprintf("drvrate: need 1..%u calls per second and a burst of 1..%u\n", RL_MAX_PER_SECOND, RL_MAX_BURST);
            return -1;
        }
    } else if (argc != 1) {
        kprintf("usage: drvrate [<per_second> <burst>]\n");
        return -1;
    }
    kprintf("drvrate: %u calls/s, burst %u, per (process, opcode)\n", driver_rate.cfg.per_second, driver_rate.cfg.burst);
    return 0;
}
SHELL_COMMAND(drvrate, "drvrate", "drvrate [<per_second> <burst>]", "show or set the driver call rate limit", cmd_drvrate);

/* reboot(2) (Linux 169): power off, restart or halt on a program's request,
 * as the kernel console's poweroff and reboot do. Allowed to init (pid 1, a
 * user process the kernel started with init=) and to a program whose
 * manifest has MANIFEST_FLAG_POWER; everyone else, every unmodified Linux
 * binary included, gets -EPERM before the arguments are even looked at
 * (Linux checks CAP_SYS_BOOT first, too). Block devices are synced first. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "drivers/power.h"
#include "block/blockdev.h"
#include "arch/x86_64/cpu.h"
#include "lib/console_out.h"
#include "secos/errno.h"
#include "secos/manifest.h"

#define LINUX_REBOOT_MAGIC1  0xfee1deadu
#define LINUX_REBOOT_MAGIC2  672274793u
#define LINUX_REBOOT_MAGIC2A 85072278u
#define LINUX_REBOOT_MAGIC2B 369367448u
#define LINUX_REBOOT_MAGIC2C 537993216u

#define LINUX_REBOOT_CMD_RESTART   0x01234567u
#define LINUX_REBOOT_CMD_HALT      0xCDEF0123u
#define LINUX_REBOOT_CMD_CAD_ON    0x89ABCDEFu
#define LINUX_REBOOT_CMD_CAD_OFF   0x00000000u
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDCu
#define LINUX_REBOOT_CMD_RESTART2  0xA1B2C3D4u

static int may_reboot(const struct proc *p) {
    if (p->is_kernel) return 0;
    if (p->pid == 1) return 1;
    return p->has_manifest && (p->manifest.flags & MANIFEST_FLAG_POWER);
}

static void sync_all(void) {
    struct blockdev *d;
    for (uint32_t i = 0; (d = blockdev_at(i)) != 0; i++) (void)blk_sync(d); /* best effort: we are going down */
}

static __attribute__((noreturn)) void halt_forever(void) {
    cpu_cli();
    for (;;) cpu_hlt();
}

long linux_reboot(SYSARGS) {
    UNUSED_ARGS();
    struct proc *p = current;
    if (!may_reboot(p)) return -EPERM;
    uint32_t m1 = (uint32_t)a0, m2 = (uint32_t)a1, cmd = (uint32_t)a2;
    if (a0 != m1 || m1 != LINUX_REBOOT_MAGIC1) return -EINVAL;
    if (a1 != m2 || (m2 != LINUX_REBOOT_MAGIC2 && m2 != LINUX_REBOOT_MAGIC2A && m2 != LINUX_REBOOT_MAGIC2B &&
                     m2 != LINUX_REBOOT_MAGIC2C))
        return -EINVAL;
    switch (cmd) {
    case LINUX_REBOOT_CMD_CAD_ON:
    case LINUX_REBOOT_CMD_CAD_OFF:
        return 0; /* Ctrl-Alt-Del has no meaning here: accepted, nothing changes */
    case LINUX_REBOOT_CMD_RESTART:
    case LINUX_REBOOT_CMD_RESTART2: /* its command string is not read */
        sync_all();
        kprintf("[REBOOT] pid %d (%pE): restarting\n", p->pid, p->name);
        power_reboot();
    case LINUX_REBOOT_CMD_HALT:
        power_prepare();
        sync_all();
        kprintf("[REBOOT] pid %d (%pE): halted (it is safe to switch off)\n", p->pid, p->name);
        halt_forever();
    case LINUX_REBOOT_CMD_POWER_OFF: {
        sync_all();
        kprintf("[REBOOT] pid %d (%pE): powering off...\n", p->pid, p->name);
        console_marker("[POWEROFF]\n");
        const char *why = "";
        power_off(&why);
        kprintf("poweroff: %s; halted (it is safe to switch off)\n", why);
        halt_forever();
    }
    default:
        return -EINVAL;
    }
}

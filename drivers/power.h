/* Switching the machine off: ACPI S5 through the FADT's PM1 control blocks. */
#ifndef DRIVERS_POWER_H
#define DRIVERS_POWER_H

/* Requests S5 and waits up to two seconds (interrupts on) for the machine to
 * go away. Returns only if it did not: then it names what was tried in why. */
void power_off(const char **why);
/* Restarts the machine: the 8042's reset line, then a triple fault. Never
 * returns. */
__attribute__((noreturn)) void power_reboot(void);

/* Called first by power_off and power_reboot (set once at boot, by init):
 * the file systems above write back and unmount their disks
 * (fs_unmount_all, which does nothing the second time). */
void power_set_prepare_hook(void (*fn)(void));
/* Runs that hook now (reboot(2)'s halt, which switches nothing off). */
void power_prepare(void);

#endif

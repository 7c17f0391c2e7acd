/* Switching the machine off: ACPI S5 through the FADT's PM1 control blocks. */
#ifndef DRIVERS_POWER_H
#define DRIVERS_POWER_H

/* Requests S5 and waits up to two seconds (interrupts on) for the machine to
 * go away. Returns only if it did not: then it names what was tried in why. */
void power_off(const char **why);

/* Called first by power_off (set once at boot, by init): the file systems
 * above write back and unmount their disks (fs_unmount_all). */
void power_set_prepare_hook(void (*fn)(void));

#endif

/* Switching the machine off: ACPI S5 through the FADT's PM1 control blocks. */
#ifndef DRIVERS_POWER_H
#define DRIVERS_POWER_H

/* Requests S5 and waits up to two seconds (interrupts on) for the machine to
 * go away. Returns only if it did not: then it names what was tried in why. */
void power_off(const char **why);
/* Restarts the machine: the 8042's reset line, then a triple fault. Never
 * returns. */
__attribute__((noreturn)) void power_reboot(void);

#endif

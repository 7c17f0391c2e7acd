/* The boot script (/init.rc) is untrusted input: it comes from the initrd,
 * which under UEFI is a file on a FAT volume anyone can write. It runs with
 * script rights only: a fixed list of harmless commands (output, the
 * filesystem, read-only inspection), each bounded in time, at most
 * BOOT_SCRIPT_MAX_LINES lines and BOOT_SCRIPT_MAX_MS in all. Everything that
 * changes security settings, crashes or resets the machine, runs programs or
 * blocks (aslr, crashtest, reboot, run, sleep, ...) is refused with a
 * message, so a hostile init.rc can neither weaken the kernel nor keep the
 * console from starting. `source` typed at the console is the
 * administrator's and runs with console rights. */
#ifndef CONSOLE_BOOT_SCRIPT_H
#define CONSOLE_BOOT_SCRIPT_H
#include <stdint.h>

#define BOOT_SCRIPT_MAX_LINES 512
#define BOOT_SCRIPT_MAX_MS    5000

/* Runs path as the boot script (restricted); returns fs_run_script's result. */
int fs_run_boot_script(const char *path, const char *label);

/* While a boot script runs (scripts it sources included): NULL if line may
 * run, else why not (a static string). Called for every script line. */
const char *boot_script_check(const char *line);
/* 1 once the boot script went over its budget: the rest is not read. */
int boot_script_stopped(void);

#endif

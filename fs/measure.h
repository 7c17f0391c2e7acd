/* The kernel's measurement log (one measure_log, fs/measure_log.h): what the
 * kernel knows about the code it was started with, shown by the
 * `measurements` command and /sys/kernel/security/measurements. */
#ifndef SECOS_FS_MEASURE_H
#define SECOS_FS_MEASURE_H
#include <stddef.h>
#include <stdint.h>
#include "fs/measure_log.h"

#define MEASURE_PATH "/sys/kernel/security/measurements"

struct boot_info;

void measure_add(const char *what, const char *path, const uint8_t sha256[32]);

/* The loader's measurements of the kernel and initrd images, if it made any
 * (UEFI path only). Call once at boot, before fs_init publishes the log. */
void measure_boot(const struct boot_info *bi);

/* The log as text (measure_log_text). */
size_t measure_text(char *buf, size_t size);

/* /sys/kernel/security/measurements, read-only (called by fs_init). */
void measure_publish(void);
#endif

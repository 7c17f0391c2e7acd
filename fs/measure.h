/* The measurement log: what the kernel knows about the code it was started
 * with (and, later, runs): a bounded list of SHA-256 digests, each with a
 * sequence number. It never grows past MEASURE_MAX entries; what does not
 * fit is counted, so a full log is visible as such. */
#ifndef SECOS_FS_MEASURE_H
#define SECOS_FS_MEASURE_H
#include <stddef.h>
#include <stdint.h>

#define MEASURE_MAX 64
#define MEASURE_PATH "/sys/kernel/security/measurements"

struct boot_info;

/* pinned: 1 the loader checked it against its pins, 0 it did not, -1 not a
 * boot image (the question does not apply). */
void measure_add_pinned(const char *what, const char *path, const uint8_t sha256[32], int pinned);
void measure_add(const char *what, const char *path, const uint8_t sha256[32]);

/* The loader's measurements of the kernel and initrd images, if it made any
 * (UEFI path only). Call once at boot, before fs_init publishes the log. */
void measure_boot(const struct boot_info *bi);

/* The log as text, one line per entry; returns its length (the text is cut
 * at size - 1 and always terminated). */
size_t measure_text(char *buf, size_t size);

/* /sys/kernel/security/measurements, read-only (called by fs_init). */
void measure_publish(void);
#endif

/* The pure half of mounting the ESP at /boot/efi (fs/esp.c does the I/O):
 * the esp= option and which block device is the volume the UEFI loader came
 * from. No kernel state (tests/unit/test_esp_match.c, tests/fuzz/fuzz_esp.c). */
#ifndef FS_ESP_MATCH_H
#define FS_ESP_MATCH_H
#include <stdint.h>

#define ESP_ID_BYTES 512   /* the loader hashes this much of the volume (uefi/esp_id.c) */

enum esp_mode {
    ESP_MODE_RO,    /* default: mounted read-only */
    ESP_MODE_RW,    /* esp=rw */
    ESP_MODE_OFF,   /* esp=off: not mounted */
};

/* The last esp= of the command line: 0 with *mode (ESP_MODE_RO when there is
 * none), or -EINVAL for a value other than ro, rw or off (*mode is then
 * ESP_MODE_RO: a typo must not make the ESP writable). */
int esp_mode_parse(const char *cmdline, enum esp_mode *mode);

/* One block device as the matcher sees it: whether its first ESP_ID_BYTES
 * could be read, and their SHA-256. */
struct esp_candidate {
    int readable;
    uint8_t hash[32];
};

/* The index of the one readable candidate whose hash equals want; -ENOENT
 * when none does, -EEXIST when more than one does (two identical volumes:
 * which one the firmware used cannot be told, so neither is mounted). */
int esp_pick(const uint8_t want[32], const struct esp_candidate *c, uint32_t n);

#endif

/* esp= and the ESP's device among the candidates; see esp_match.h. */
#include "fs/esp_match.h"
#include "kernel/cmdline.h"
#include "lib/string.h"
#include "secos/errno.h"

int esp_mode_parse(const char *cmdline, enum esp_mode *mode) {
    const char *v;
    size_t n;
    *mode = ESP_MODE_RO;
    if (!cmdline || !cmdline_find(cmdline, "esp", &v, &n)) return 0;
    if (n == 2 && memcmp(v, "ro", 2) == 0) return 0;
    if (n == 2 && memcmp(v, "rw", 2) == 0) {
        *mode = ESP_MODE_RW;
        return 0;
    }
    if (n == 3 && memcmp(v, "off", 3) == 0) {
        *mode = ESP_MODE_OFF;
        return 0;
    }
    return -EINVAL;
}

int esp_pick(const uint8_t want[32], const struct esp_candidate *c, uint32_t n) {
    int found = -ENOENT;
    for (uint32_t i = 0; i < n; i++) {
        if (!c[i].readable || memcmp(c[i].hash, want, 32) != 0) continue;
        if (found >= 0) return -EEXIST;
        found = (int)i;
    }
    return found;
}

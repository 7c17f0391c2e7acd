/* Fuzzes esp_mode_parse() and esp_pick() (fs/esp_match.c): any bytes as the
 * command line. The mode is always one of the three, a refused value leaves
 * it read-only, and a picked candidate really matches. */
#include "tests/fuzz/fuzz.h"
#include "fs/esp_match.h"
#include "secos/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_strndup(data, size);
    enum esp_mode m = ESP_MODE_OFF;
    int r = esp_mode_parse(line, &m);
    CHECK(r == 0 || r == -EINVAL);
    CHECK(m == ESP_MODE_RO || m == ESP_MODE_RW || m == ESP_MODE_OFF);
    if (r) CHECK(m == ESP_MODE_RO);
    /* The bytes as candidates: 33 each (readable flag, hash), want = the first 32. */
    struct esp_candidate c[8];
    uint32_t n = 0;
    if (size >= 32) {
        for (size_t off = 32; off + 33 <= size && n < 8; off += 33, n++) {
            c[n].readable = data[off] & 1;
            memcpy(c[n].hash, data + off + 1, 32);
        }
        int i = esp_pick(data, c, n);
        CHECK(i == -ENOENT || i == -EEXIST || (i >= 0 && (uint32_t)i < n));
        if (i >= 0) CHECK(c[i].readable && memcmp(c[i].hash, data, 32) == 0);
    }
    free(line);
    return 0;
}

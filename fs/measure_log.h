/* The measurement log as a pure data structure (no kernel services, host
 * unit tests in tests/unit/test_measure_log.c): a fixed array of SHA-256
 * entries with sequence numbers and its text form. It never grows; entries
 * past MEASURE_MAX are counted as dropped, and their sequence numbers are
 * still used, so a gap shows where something was lost. */
#ifndef SECOS_FS_MEASURE_LOG_H
#define SECOS_FS_MEASURE_LOG_H
#include <stddef.h>
#include <stdint.h>

#define MEASURE_MAX 64
#define MEASURE_WHAT 16
#define MEASURE_PATHLEN 96
/* Enough for every entry at its longest plus the header and dropped lines. */
#define MEASURE_TEXT_MAX (160 + (size_t)MEASURE_MAX * (MEASURE_WHAT + 4 * MEASURE_PATHLEN + 96))

/* pinned: 1 the loader checked the image against its pins, 0 it did not,
 * -1 not a boot image (the question does not apply, nothing is printed). */
struct measurement {
    uint32_t seq;
    int pinned;
    char what[MEASURE_WHAT];
    char path[MEASURE_PATHLEN];
    uint8_t sha256[32];
};

struct measure_log {
    struct measurement entries[MEASURE_MAX];
    uint32_t count, dropped, next_seq;
    int loader_measured;   /* 0: the "no loader measurements" line is printed */
};

void measure_log_init(struct measure_log *log);
/* what and path are cut to fit; path is printed escaped (it may later come
 * from an untrusted file system). */
void measure_log_add(struct measure_log *log, const char *what, const char *path, const uint8_t sha256[32],
                     int pinned);
/* One line per entry ("<seq> <what> <path> sha256:<hex>[ pinned| unpinned]"),
 * before them "no loader measurements ..." when the loader gave none, after
 * them "dropped: <n> (log full)" when some did not fit. Returns the length
 * written (cut at size - 1, always terminated when size > 0). */
size_t measure_log_text(const struct measure_log *log, char *buf, size_t size);
#endif

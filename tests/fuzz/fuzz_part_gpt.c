/* Fuzzes block/part_gpt.c (through part_parse for the MBR side, which
 * hands protective MBRs to the GPT parser): the input is a disk of 512-byte
 * sectors (its length rounded down), read through a bounded reader that
 * hands out a private copy of each sector, so ASan catches any use of a
 * sector after the next read. A table reported must lie on the disk with
 * no two partitions overlapping. */
#include "tests/fuzz/fuzz.h"
#include "block/part.h"

static const uint8_t *disk;
static uint64_t nsec;
static uint8_t *last;

static const uint8_t *reader(void *ctx, uint64_t lba) {
    (void)ctx;
    free(last);
    last = 0;
    if (lba >= nsec) return 0;
    last = malloc(512);
    CHECK(last);
    memcpy(last, disk + lba * 512, 512);
    return last;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1024 || size > 128 * 512) return 0;
    disk = data;
    nsec = size / 512;
    struct part_table t;
    int r = part_gpt_parse(reader, 0, nsec, 512, &t);
    CHECK(r == PART_OK || r == PART_NONE || r == PART_REFUSED);
    if (r == PART_REFUSED) CHECK(t.why && t.n == 0);
    if (r == PART_OK) {
        CHECK(t.n <= PART_MAX);
        for (uint32_t i = 0; i < t.n; i++) {
            CHECK(t.e[i].sectors > 0 && t.e[i].start < nsec && t.e[i].sectors <= nsec - t.e[i].start);
            for (uint32_t j = 0; j < i; j++)
                CHECK(t.e[i].start + t.e[i].sectors <= t.e[j].start || t.e[j].start + t.e[j].sectors <= t.e[i].start);
            CHECK(memchr(t.e[i].name, 0, sizeof t.e[i].name) != 0);
        }
    }
    free(last);
    last = 0;
    return 0;
}

/* Fuzzes mm/region.c: the input is a list of 4-byte operations (op, first
 * page, page count, flags/kind) on a set of 8 slots over 64 pages, checked
 * against a per-page model after each one. Failures must leave the set
 * unchanged; find_gap's answer must really be free. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/region_model.h"
#include "secos/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct region slots[8], copy_slots[8];
    struct region_set s, c;
    struct region_model m = { { 0 }, { 0 } };
    region_set_init(&s, slots, 8);
    region_set_init(&c, copy_slots, 8);
    for (size_t i = 0; i + 4 <= size; i += 4) {
        uint32_t op = data[i] % 5, first = data[i + 1] % MODEL_PAGES, count = data[i + 2] % 16;
        uint64_t flags = data[i + 3] & 3, kind = (data[i + 3] >> 2) & 1;
        uint64_t start = MODEL_BASE + first * PG, end = start + count * PG;
        if (first + count > MODEL_PAGES) continue;
        struct region before[8];
        uint32_t n0 = s.n;
        memcpy(before, slots, sizeof slots);
        int r = 0;
        switch (op) {
        case 0:
            r = region_insert(&s, start, end, flags, (uint32_t)kind);
            if (r == 0) for (uint32_t p = first; p < first + count; p++) { CHECK(!m.page[p]); m.page[p] = flags + 1; m.kind[p] = (uint32_t)kind; }
            else CHECK(r == -EINVAL || r == -EEXIST || r == -ENOMEM);
            if (r == -EEXIST) CHECK(region_overlaps(&s, start, end));
            break;
        case 1:
            r = region_remove(&s, start, end);
            if (r == 0) for (uint32_t p = first; p < first + count; p++) m.page[p] = 0;
            else CHECK(r == -EINVAL || r == -ENOMEM);
            break;
        case 2:
            r = region_protect(&s, start, end, flags);
            if (r == 0) for (uint32_t p = first; p < first + count; p++) { if (m.page[p]) m.page[p] = flags + 1; }
            else CHECK(r == -EINVAL || r == -ENOMEM);
            break;
        case 3: {
            uint64_t guard = (data[i + 3] >> 4 & 1) * PG;
            uint64_t g = region_find_gap(&s, start, MODEL_BASE + MODEL_PAGES * PG, count * PG, guard);
            if (g) {
                CHECK(g >= start && !(g & 0xfff) && g + count * PG <= MODEL_BASE + MODEL_PAGES * PG);
                CHECK(!region_overlaps(&s, g - guard, g + count * PG + guard));
            } else if (count && !guard) {
                /* Nothing free: every window of count pages from `first` on holds a region page. */
                for (uint32_t p = first; p + count <= MODEL_PAGES; p++) {
                    int busy = 0;
                    for (uint32_t q = p; q < p + count; q++) busy |= m.page[q] != 0;
                    CHECK(busy);
                }
            }
            break;
        }
        case 4:
            CHECK(region_copy(&c, &s) == 0);
            CHECK(region_model_matches(&c, &m));
            {
                int all = 1;
                for (uint32_t p = first; p < first + count; p++) all &= m.page[p] != 0;
                CHECK(region_covered(&s, start, end) == all);
            }
            break;
        }
        if (r != 0) CHECK(s.n == n0 && !memcmp(before, slots, sizeof slots));
        CHECK(region_model_matches(&s, &m));
    }
    return 0;
}

/* A per-page model of mm/region.c for the unit test and the fuzzer: the
 * same operations on an array of MODEL_PAGES pages (flags+1 per page, 0 =
 * no region), compared against the region set after every step. */
#ifndef TESTS_FUZZ_REGION_MODEL_H
#define TESTS_FUZZ_REGION_MODEL_H
#include <stdint.h>
#include "mm/region.h"

#define MODEL_PAGES 64
#define MODEL_BASE  0x10000ULL
#define PG 4096ULL

struct region_model { uint64_t page[MODEL_PAGES]; uint32_t kind[MODEL_PAGES]; };

/* 1 if the set is well formed and describes exactly the model's pages. */
static inline int region_model_matches(const struct region_set *s, const struct region_model *m) {
    for (uint32_t i = 0; i < s->n; i++) {
        const struct region *r = &s->r[i];
        if ((r->start | r->end) & 0xfff || r->start >= r->end) return 0;
        if (i && s->r[i - 1].end > r->start) return 0;
        if (r->start < MODEL_BASE || r->end > MODEL_BASE + MODEL_PAGES * PG) return 0;
    }
    if (s->n > s->cap) return 0;
    for (uint64_t p = 0; p < MODEL_PAGES; p++) {
        uint64_t va = MODEL_BASE + p * PG;
        int i = region_find(s, va);
        if (!m->page[p]) { if (i >= 0) return 0; continue; }
        if (i < 0 || s->r[i].flags + 1 != m->page[p] || s->r[i].kind != m->kind[p]) return 0;
    }
    return 1;
}

#endif

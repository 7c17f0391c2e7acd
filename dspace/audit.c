/* The audit ring (see audit.h). */
#include "dspace/audit.h"
#include "dspace/driver_check.h"
#include "lib/string.h"

void audit_init(audit_ring_t *r, audit_entry_t *storage, uint32_t capacity) {
    r->entries = storage;
    r->capacity = capacity;
    audit_clear(r);
}

void audit_clear(audit_ring_t *r) {
    r->head = r->count = 0;
    r->recorded = r->dropped = 0;
}

int audit_wanted(int32_t result, uint32_t flags) {
    return result != DRV_OK || (flags & DRIVER_FLAG_AUDIT);
}

int audit_record(audit_ring_t *r, const audit_entry_t *e, uint32_t flags) {
    if (!audit_wanted(e->result, flags) || r->capacity == 0) return 0;
    r->entries[r->head] = *e;
    r->head = r->head + 1 == r->capacity ? 0 : r->head + 1;
    if (r->count < r->capacity) r->count++;
    else r->dropped++; /* the slot just written held the oldest entry */
    r->recorded++;
    return 1;
}

/* "key=<n>" with n <= max: 0 and *out, or -1. */
static int parse_kv(const char *s, const char *key, uint64_t max, int64_t *out) {
    size_t k = strlen(key);
    unsigned long long n;
    if (strncmp(s, key, k) != 0 || parse_u64(s + k, &n) != 0 || n > max) return -1;
    *out = (int64_t)n;
    return 0;
}

int audit_filter_parse(const char *s, audit_filter_t *f) {
    f->kind = AUDIT_ALL;
    f->value = 0;
    if (!s || !*s) return 0;
    if (strcmp(s, "errors") == 0) { f->kind = AUDIT_ERRORS; return 0; }
    if (parse_kv(s, "dev=", 0xffffffffULL, &f->value) == 0) { f->kind = AUDIT_DEV; return 0; }
    if (parse_kv(s, "pid=", 0x7fffffffULL, &f->value) == 0) { f->kind = AUDIT_PID; return 0; }
    uint32_t op;
    if (strncmp(s, "op=", 3) == 0 && driver_op_parse(s + 3, &op) == 0) {
        f->kind = AUDIT_OP;
        f->value = op;
        return 0;
    }
    f->kind = AUDIT_ALL;
    f->value = 0;
    return -1;
}

int audit_filter_match(const audit_filter_t *f, const audit_entry_t *e) {
    switch (f->kind) {
    case AUDIT_ALL:    return 1;
    case AUDIT_ERRORS: return e->result != DRV_OK;
    case AUDIT_DEV:    return (int64_t)e->device == f->value;
    case AUDIT_OP:     return (int64_t)e->opcode == f->value;
    case AUDIT_PID:    return (int64_t)e->pid == f->value;
    }
    return 0;
}

const audit_entry_t *audit_next(const audit_ring_t *r, uint32_t *cursor, const audit_filter_t *f) {
    /* The oldest entry sits at head once the ring has wrapped, at 0 before. */
    uint32_t oldest = r->count < r->capacity ? 0 : r->head;
    while (*cursor < r->count) {
        uint32_t i = oldest + *cursor;
        if (i >= r->capacity) i -= r->capacity;
        (*cursor)++;
        if (!f || audit_filter_match(f, &r->entries[i])) return &r->entries[i];
    }
    return 0;
}

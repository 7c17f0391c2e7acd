/* The Driver Space audit log: a circular buffer of {tick, pid, device,
 * opcode, result}. Pure (the caller supplies the storage and the tick), so
 * the host tests can fill, wrap and filter it.
 *
 * Every error is recorded; a success only if the call carried
 * DRIVER_FLAG_AUDIT. When full, the oldest entry is overwritten and counted
 * in `dropped`, so the log always holds the newest entries and says how
 * many it lost: flooding it hides nothing silently. */
#ifndef DSPACE_AUDIT_H
#define DSPACE_AUDIT_H
#include <stdint.h>

typedef struct {
    uint64_t tick;
    int32_t pid;
    uint32_t device;   /* DRIVER_DEV_NONE when the call could not be read */
    uint32_t opcode;   /* as the caller sent it, known or not */
    int32_t result;    /* DRV_*, or a negative errno (EFAULT, ENOMEM) */
} audit_entry_t;

typedef struct {
    audit_entry_t *entries;
    uint32_t capacity;
    uint32_t head;      /* slot of the next write */
    uint32_t count;     /* valid entries, <= capacity */
    uint64_t recorded;  /* entries ever written since the last clear */
    uint64_t dropped;   /* of those, overwritten by newer ones */
} audit_ring_t;

enum audit_filter_kind { AUDIT_ALL, AUDIT_ERRORS, AUDIT_DEV, AUDIT_OP, AUDIT_PID };

typedef struct {
    enum audit_filter_kind kind;
    int64_t value;     /* device, opcode or pid */
} audit_filter_t;

void audit_init(audit_ring_t *r, audit_entry_t *storage, uint32_t capacity);
void audit_clear(audit_ring_t *r);
/* 1 if a call with this result and these flags belongs in the log. */
int audit_wanted(int32_t result, uint32_t flags);
/* Records e if audit_wanted(e->result, flags); returns 1 if it did. */
int audit_record(audit_ring_t *r, const audit_entry_t *e, uint32_t flags);

/* NULL or "" = everything; "errors"; "dev=<n>"; "op=<code or name>"; "pid=<n>".
 * 0, or -1 on anything else. */
int audit_filter_parse(const char *s, audit_filter_t *f);
int audit_filter_match(const audit_filter_t *f, const audit_entry_t *e);
/* Iterates oldest to newest over the entries f matches: start with
 * *cursor = 0; returns NULL at the end. */
const audit_entry_t *audit_next(const audit_ring_t *r, uint32_t *cursor, const audit_filter_t *f);

#endif

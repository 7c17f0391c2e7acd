/* Token-bucket rate limiting per (process, opcode). Pure: time comes in as
 * a tick count, so the host tests can drive it.
 *
 * Each bucket holds up to `burst` calls and refills at `per_second` calls
 * per second. Tokens are kept in units of 1/hz of a call so that refilling
 * by whole ticks needs no division: a call costs hz units, a tick adds
 * per_second units, a full bucket holds burst * hz units. */
#ifndef DSPACE_RATE_LIMIT_H
#define DSPACE_RATE_LIMIT_H
#include <stdint.h>
#include "dspace/device.h"

#define RL_MAX_PER_SECOND 1000000u
#define RL_MAX_BURST      10000u
#define RL_MAX_HZ         1000000u
/* A valid call needs a binding and bindings are exclusive, so at most
 * DRIVER_MAX_DEVICES processes (plus drvtest's pseudo-caller) are ever
 * metered at once. */
#define RL_SLOTS (DRIVER_MAX_DEVICES + 1)

typedef struct {
    uint32_t per_second;  /* refill rate, calls per second */
    uint32_t burst;       /* bucket size, calls */
    uint32_t hz;          /* ticks per second of the clock passed in */
} rl_config_t;

typedef struct {
    uint64_t tokens;      /* in 1/hz calls */
    uint64_t last;        /* tick of the last refill */
} rl_bucket_t;

typedef struct {
    int in_use;
    int pid;
    rl_bucket_t b[DRIVER_OP_COUNT];
} rl_slot_t;

typedef struct {
    rl_config_t cfg;
    rl_slot_t slots[RL_SLOTS];
    uint64_t limited;     /* calls refused so far */
} rl_table_t;

/* 0, or -1 (table unchanged) if a value is 0 or above its maximum. */
int rl_init(rl_table_t *t, uint32_t per_second, uint32_t burst, uint32_t hz);
/* New rate and burst; existing buckets keep their tokens, capped to the new size. */
int rl_configure(rl_table_t *t, uint32_t per_second, uint32_t burst);

/* One bucket: a fresh (zeroed) bucket must be filled with rl_bucket_fill. */
void rl_bucket_fill(rl_bucket_t *b, const rl_config_t *c, uint64_t now);
int rl_bucket_take(rl_bucket_t *b, const rl_config_t *c, uint64_t now); /* 1 = allowed */

/* 1 if pid may make one more `opcode` call at tick now (and charges it),
 * 0 if it is over the limit, or if the table is full or the opcode is out
 * of range (fail closed). */
int rl_allow(rl_table_t *t, int pid, uint32_t opcode, uint64_t now);
/* Drops pid's buckets (its last binding is gone). */
void rl_forget(rl_table_t *t, int pid);

#endif

/* Token buckets (see rate_limit.h). Every product is bounded before it is
 * formed: elapsed ticks are capped at the bucket size, so elapsed *
 * per_second stays below 1e10 * 1e6 = 1e16 and cannot overflow 64 bits. */
#include "dspace/rate_limit.h"
#include "lib/string.h"

static int valid(uint32_t per_second, uint32_t burst, uint32_t hz) {
    return per_second >= 1 && per_second <= RL_MAX_PER_SECOND && burst >= 1 && burst <= RL_MAX_BURST &&
           hz >= 1 && hz <= RL_MAX_HZ;
}

static uint64_t capacity(const rl_config_t *c) { return (uint64_t)c->burst * c->hz; }

int rl_init(rl_table_t *t, uint32_t per_second, uint32_t burst, uint32_t hz) {
    if (!valid(per_second, burst, hz)) return -1;
    memset(t, 0, sizeof *t);
    t->cfg = (rl_config_t){ per_second, burst, hz };
    return 0;
}

int rl_configure(rl_table_t *t, uint32_t per_second, uint32_t burst) {
    if (!valid(per_second, burst, t->cfg.hz)) return -1;
    t->cfg.per_second = per_second;
    t->cfg.burst = burst;
    uint64_t cap = capacity(&t->cfg);
    for (int i = 0; i < RL_SLOTS; i++)
        for (uint32_t op = 0; op < DRIVER_OP_COUNT; op++)
            if (t->slots[i].b[op].tokens > cap) t->slots[i].b[op].tokens = cap;
    return 0;
}

void rl_bucket_fill(rl_bucket_t *b, const rl_config_t *c, uint64_t now) {
    b->tokens = capacity(c);
    b->last = now;
}

int rl_bucket_take(rl_bucket_t *b, const rl_config_t *c, uint64_t now) {
    uint64_t cap = capacity(c);
    /* A clock that went backwards refills nothing (and moves last back, so
     * the next refill is not delayed forever). */
    uint64_t elapsed = now > b->last ? now - b->last : 0;
    b->last = now;
    if (elapsed >= cap) {
        b->tokens = cap; /* per_second >= 1: at least this long fills any bucket */
    } else {
        uint64_t add = elapsed * c->per_second;
        b->tokens = add >= cap - b->tokens ? cap : b->tokens + add;
    }
    if (b->tokens < c->hz) return 0;
    b->tokens -= c->hz;
    return 1;
}

static rl_slot_t *slot_for(rl_table_t *t, int pid, uint64_t now) {
    rl_slot_t *free_slot = 0;
    for (int i = 0; i < RL_SLOTS; i++) {
        if (t->slots[i].in_use && t->slots[i].pid == pid) return &t->slots[i];
        if (!t->slots[i].in_use && !free_slot) free_slot = &t->slots[i];
    }
    if (!free_slot) return 0;
    free_slot->in_use = 1;
    free_slot->pid = pid;
    for (uint32_t op = 0; op < DRIVER_OP_COUNT; op++) rl_bucket_fill(&free_slot->b[op], &t->cfg, now);
    return free_slot;
}

int rl_allow(rl_table_t *t, int pid, uint32_t opcode, uint64_t now) {
    rl_slot_t *s = opcode < DRIVER_OP_COUNT ? slot_for(t, pid, now) : 0;
    if (s && rl_bucket_take(&s->b[opcode], &t->cfg, now)) return 1;
    t->limited++;
    return 0;
}

void rl_forget(rl_table_t *t, int pid) {
    for (int i = 0; i < RL_SLOTS; i++)
        if (t->slots[i].in_use && t->slots[i].pid == pid) memset(&t->slots[i], 0, sizeof t->slots[i]);
}

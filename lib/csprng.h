/* A ChaCha20 CSPRNG with fast key erasure: every output call runs the block
 * function under the current key, takes the first 32 bytes of keystream as
 * the next key (overwriting the old one) and hands out only what follows, so
 * state captured after a call does not reveal anything output before it.
 * Reseeding hashes the old key with the new input (SHA-256(key || input)),
 * so input can only add unpredictability, never take it away.
 * Pure and freestanding; the caller provides locking (kernel/entropy). */
#ifndef LIB_CSPRNG_H
#define LIB_CSPRNG_H
#include <stddef.h>
#include <stdint.h>
#include "lib/chacha20.h"

struct csprng {
    uint8_t key[CHACHA20_KEY];
    uint64_t reseeds; /* how many times input was mixed in */
};

/* Start from a fixed all-zero key: output is predictable until reseeded. */
void csprng_init(struct csprng *r);
/* key = SHA-256(key || data). */
void csprng_reseed(struct csprng *r, const void *data, size_t len);
/* Fill out with len bytes, then rekey. Any len, including 0 (still rekeys). */
void csprng_bytes(struct csprng *r, void *out, size_t len);

#endif

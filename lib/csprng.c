/* See lib/csprng.h. Each call uses one fresh key for at most one keystream
 * run with a zero nonce; the key is never reused because the call replaces
 * it before returning, which is what makes a fixed nonce safe here. */
#include "lib/csprng.h"
#include "lib/sha256.h"

static void wipe(void *p, size_t n) {
    volatile uint8_t *v = p;
    while (n--) *v++ = 0;
}

void csprng_init(struct csprng *r) {
    wipe(r->key, sizeof r->key);
    r->reseeds = 0;
}

void csprng_reseed(struct csprng *r, const void *data, size_t len) {
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, r->key, sizeof r->key);
    sha256_update(&h, data, len);
    sha256_final(&h, r->key);
    wipe(&h, sizeof h);
    r->reseeds++;
}

void csprng_bytes(struct csprng *r, void *out, size_t len) {
    static const uint8_t nonce[CHACHA20_NONCE];
    uint8_t block[CHACHA20_BLOCK];
    uint8_t *o = out;
    uint32_t counter = 0;
    /* Block 0: its first half becomes the next key, its second half is
     * output. Later blocks are all output. */
    chacha20_block(r->key, counter++, nonce, block);
    uint8_t next[CHACHA20_KEY];
    for (size_t i = 0; i < CHACHA20_KEY; i++) next[i] = block[i];
    size_t off = CHACHA20_KEY;
    while (len) {
        if (off == CHACHA20_BLOCK) {
            /* The counter is 32 bits: 2^32 blocks per call is far beyond any
             * caller (they draw at most a page); wrapping is not reachable. */
            chacha20_block(r->key, counter++, nonce, block);
            off = 0;
        }
        size_t n = CHACHA20_BLOCK - off;
        if (n > len) n = len;
        for (size_t i = 0; i < n; i++) o[i] = block[off + i];
        o += n; len -= n; off += n;
    }
    for (size_t i = 0; i < CHACHA20_KEY; i++) r->key[i] = next[i];
    wipe(next, sizeof next);
    wipe(block, sizeof block);
}

/* The ChaCha20 block function and stream cipher (RFC 8439, 2.3 and 2.4).
 * Pure and freestanding: the kernel's CSPRNG (lib/csprng.c) is built on the
 * block function; host tests check both against the RFC's vectors. */
#ifndef LIB_CHACHA20_H
#define LIB_CHACHA20_H
#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY 32
#define CHACHA20_NONCE 12
#define CHACHA20_BLOCK 64

/* One 64-byte keystream block for (key, counter, nonce). */
void chacha20_block(const uint8_t key[CHACHA20_KEY], uint32_t counter,
                    const uint8_t nonce[CHACHA20_NONCE], uint8_t out[CHACHA20_BLOCK]);
/* out = in XOR keystream starting at block `counter`; in and out may alias. */
void chacha20_xor(const uint8_t key[CHACHA20_KEY], uint32_t counter,
                  const uint8_t nonce[CHACHA20_NONCE], const uint8_t *in, uint8_t *out, size_t len);

#endif

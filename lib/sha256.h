/* SHA-256 (FIPS 180-4). Pure and freestanding: the kernel hashes device
 * ranges with it (blkhash), host tests check it against NIST's vectors. */
#ifndef LIB_SHA256_H
#define LIB_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST 32

struct sha256 {
    uint32_t h[8];
    uint64_t bytes;        /* message length so far */
    uint8_t buf[64];
    uint32_t used;         /* bytes in buf, < 64 */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST]);
/* The digest as 64 lower-case hex digits and a NUL. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST], char out[65]);

#endif

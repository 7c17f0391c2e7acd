/* See lib/chacha20.h. Words are read and written little-endian byte by byte,
 * so the code does not depend on the host's byte order or alignment. */
#include "lib/chacha20.h"

#define ROTL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define QR(a, b, c, d)                                   \
    do {                                                 \
        a += b; d ^= a; d = ROTL32(d, 16);               \
        c += d; b ^= c; b = ROTL32(b, 12);               \
        a += b; d ^= a; d = ROTL32(d, 8);                \
        c += d; b ^= c; b = ROTL32(b, 7);                \
    } while (0)

static uint32_t load32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void store32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

void chacha20_block(const uint8_t key[CHACHA20_KEY], uint32_t counter,
                    const uint8_t nonce[CHACHA20_NONCE], uint8_t out[CHACHA20_BLOCK]) {
    uint32_t s[16], x[16];
    s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574; /* "expand 32-byte k" */
    for (int i = 0; i < 8; i++) s[4 + i] = load32(key + 4 * i);
    s[12] = counter;
    for (int i = 0; i < 3; i++) s[13 + i] = load32(nonce + 4 * i);
    for (int i = 0; i < 16; i++) x[i] = s[i];
    for (int r = 0; r < 10; r++) { /* 20 rounds: a column and a diagonal round each */
        QR(x[0], x[4], x[8], x[12]); QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]); QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]); QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]); QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++) store32(out + 4 * i, x[i] + s[i]);
    /* The working state is key material: do not leave it on the stack. */
    for (int i = 0; i < 16; i++) ((volatile uint32_t *)x)[i] = 0;
    for (int i = 0; i < 16; i++) ((volatile uint32_t *)s)[i] = 0;
}

void chacha20_xor(const uint8_t key[CHACHA20_KEY], uint32_t counter,
                  const uint8_t nonce[CHACHA20_NONCE], const uint8_t *in, uint8_t *out, size_t len) {
    uint8_t ks[CHACHA20_BLOCK];
    while (len) {
        chacha20_block(key, counter++, nonce, ks);
        size_t n = len < CHACHA20_BLOCK ? len : CHACHA20_BLOCK;
        for (size_t i = 0; i < n; i++) out[i] = in[i] ^ ks[i];
        in += n; out += n; len -= n;
    }
    for (size_t i = 0; i < sizeof ks; i++) ((volatile uint8_t *)ks)[i] = 0;
}

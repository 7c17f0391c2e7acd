/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as GPT uses it.
 * Pure. crc32_update chains: crc32(a||b) = crc32_update(crc32_update(0, a), b). */
#ifndef LIB_CRC32_H
#define LIB_CRC32_H
#include <stddef.h>
#include <stdint.h>

uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
static inline uint32_t crc32(const void *data, size_t len) { return crc32_update(0, data, len); }

#endif

/* Parsing what an ATA or ATAPI device says about itself (drivers/ata_id.h).
 * Everything here is checked before a driver acts on it: a device that
 * lies about its size must not make the block layer address past the end,
 * and a sector size the block layer cannot carry must not be registered. */
#include "drivers/ata_id.h"

static int valid_pair(uint16_t w) { return (w & 0xC000) == 0x4000; }   /* bits 15:14 = 01: word is valid */

/* IDENTIFY strings hold two characters per word, the first in the high byte. */
static void copy_string(char *dst, const uint16_t *w, int words) {
    int n = 0;
    for (int i = 0; i < words; i++) {
        char c[2] = { (char)(w[i] >> 8), (char)(w[i] & 0xff) };
        for (int k = 0; k < 2; k++) dst[n++] = (c[k] >= 0x20 && c[k] < 0x7f) ? c[k] : '?';
    }
    while (n > 0 && dst[n - 1] == ' ') n--;
    dst[n] = 0;
}

/* Word 255: when its low byte is the signature 0xA5, the 512 bytes sum to 0. */
static int checksum_ok(const uint16_t id[256]) {
    if ((id[255] & 0xff) != 0xA5) return 1;
    uint8_t sum = 0;
    for (int i = 0; i < 256; i++) sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
    return sum == 0;
}

static int pow2_sector(uint64_t bytes) { return bytes >= 512 && bytes <= 4096 && (bytes & (bytes - 1)) == 0; }

int ata_parse_identify(const uint16_t id[256], int packet, struct ata_identity *out, const char **why) {
    static const char *dummy;
    if (!why) why = &dummy;
    struct ata_identity r = { 0 };
    if (!checksum_ok(id)) { *why = "IDENTIFY checksum (word 255) is wrong"; return -1; }
    copy_string(r.model, id + 27, 20);
    if (packet) {
        /* Word 0 bits 15:14 = 10: ATAPI; bits 1:0 packet size (0: 12 bytes, 1: 16). */
        if ((id[0] & 0xC000) != 0x8000) { *why = "not an ATAPI device (word 0)"; return -1; }
        if ((id[0] & 3) > 1) { *why = "reserved ATAPI packet size (word 0)"; return -1; }
        r.atapi = 1;
        r.sector_size = 2048;
        *out = r;
        return 0;
    }
    if (id[0] & 0x8000) { *why = "not an ATA device (word 0 bit 15)"; return -1; }
    if (!(id[49] & (1u << 9))) { *why = "no LBA addressing (word 49 bit 9)"; return -1; }
    uint64_t lba28 = (uint64_t)id[60] | (uint64_t)id[61] << 16;
    if (lba28 > ATA_LBA28_MAX) { *why = "LBA28 capacity past 2^28 - 1 (words 60-61)"; return -1; }
    r.sectors = lba28;
    if (valid_pair(id[83]) && (id[83] & (1u << 10))) {
        uint64_t lba48 = (uint64_t)id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32 |
                         (uint64_t)id[103] << 48;
        if (lba48 > ATA_LBA48_MAX) { *why = "LBA48 capacity past 2^48 (words 100-103)"; return -1; }
        r.lba48 = 1;
        if (lba48 > lba28) r.sectors = lba48;
    }
    if (r.sectors == 0) { *why = "capacity of 0 sectors"; return -1; }
    r.sector_size = 512;
    /* Word 106: bit 12 = logical sectors longer than 256 words, given in 117-118. */
    if (valid_pair(id[106]) && (id[106] & (1u << 12))) {
        uint64_t words = (uint64_t)id[117] | (uint64_t)id[118] << 16;
        if (!pow2_sector(words * 2)) { *why = "logical sector size not 512..4096 bytes (words 117-118)"; return -1; }
        r.sector_size = (uint32_t)(words * 2);
    }
    /* Word 47 bits 7:0: the largest DRQ block of READ/WRITE MULTIPLE; only
     * powers of two are valid values, anything else means "do not use". */
    uint32_t mult = id[47] & 0xff;
    r.multiple = (mult && !(mult & (mult - 1))) ? mult : 0;
    /* FLUSH CACHE is mandatory since ATA-6; the EXT form is word 83 bit 13. */
    r.flush_ext = r.lba48 && (id[83] & (1u << 13));
    *out = r;
    return 0;
}

int atapi_parse_capacity(const uint8_t b[8], uint64_t *blocks, uint32_t *block_size) {
    uint32_t last = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    uint32_t len = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
    if (last == 0xFFFFFFFFu || !pow2_sector(len)) return -1;
    *blocks = (uint64_t)last + 1;
    *block_size = len;
    return 0;
}

int atapi_read10_packet(uint8_t p[12], uint64_t lba, uint32_t count) {
    if (lba > 0xFFFFFFFFull || count == 0 || count > 0xFFFF) return -1;
    for (int i = 0; i < 12; i++) p[i] = 0;
    p[0] = SCSI_READ_10;
    p[2] = (uint8_t)(lba >> 24); p[3] = (uint8_t)(lba >> 16); p[4] = (uint8_t)(lba >> 8); p[5] = (uint8_t)lba;
    p[7] = (uint8_t)(count >> 8); p[8] = (uint8_t)count;
    return 0;
}

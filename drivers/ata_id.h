/* The parts of ATA that both disk drivers (drivers/ide.c, drivers/ahci.c)
 * share and that come from the device, so cannot be trusted: the IDENTIFY
 * (PACKET) DEVICE block and the SCSI READ CAPACITY(10) answer. Pure code
 * (no I/O), host-tested (tests/unit/test_ata_id.c) and fuzzed
 * (tests/fuzz/fuzz_ata_id.c).
 *
 * Invariant of a parsed identity: sector_size is a power of two from 512 to
 * 4096, 1 <= sectors, and sectors * sector_size does not overflow 64 bits;
 * an ATA disk's sectors fit its addressing (2^28 - 1 without LBA48, 2^48
 * with it). */
#ifndef DRIVERS_ATA_ID_H
#define DRIVERS_ATA_ID_H
#include <stdint.h>

/* Commands (ATA/ATAPI-8 ACS) and the SCSI operation codes sent in a PACKET. */
#define ATA_CMD_READ_SECTORS      0x20
#define ATA_CMD_READ_SECTORS_EXT  0x24
#define ATA_CMD_READ_MULTIPLE_EXT 0x29
#define ATA_CMD_READ_DMA_EXT      0x25
#define ATA_CMD_WRITE_SECTORS     0x30
#define ATA_CMD_WRITE_SECTORS_EXT 0x34
#define ATA_CMD_WRITE_MULTIPLE_EXT 0x39
#define ATA_CMD_WRITE_DMA_EXT     0x35
#define ATA_CMD_PACKET            0xA0
#define ATA_CMD_READ_MULTIPLE     0xC4
#define ATA_CMD_WRITE_MULTIPLE    0xC5
#define ATA_CMD_SET_MULTIPLE      0xC6
#define ATA_CMD_READ_DMA          0xC8
#define ATA_CMD_WRITE_DMA         0xCA
#define ATA_CMD_IDENTIFY_PACKET   0xA1
#define ATA_CMD_FLUSH_CACHE       0xE7
#define ATA_CMD_FLUSH_CACHE_EXT   0xEA
#define ATA_CMD_IDENTIFY          0xEC
#define SCSI_READ_CAPACITY_10     0x25
#define SCSI_READ_10              0x28

/* Status and error register bits (the same in the task file and AHCI PxTFD). */
#define ATA_SR_ERR  0x01
#define ATA_SR_DRQ  0x08
#define ATA_SR_DF   0x20
#define ATA_SR_DRDY 0x40
#define ATA_SR_BSY  0x80

#define ATA_LBA28_MAX 0x0FFFFFFFULL      /* sectors addressable without LBA48 */
#define ATA_LBA48_MAX (1ULL << 48)

struct ata_identity {
    int atapi;               /* a packet device (CD/DVD): sectors/sector_size from READ CAPACITY */
    int lba48;               /* 48-bit commands supported (ATA) */
    uint64_t sectors;        /* ATA: user-addressable sectors; ATAPI: 0 until the capacity is read */
    uint32_t sector_size;    /* ATA: logical sector bytes (words 106, 117-118); ATAPI: 2048 */
    uint32_t multiple;       /* most sectors per PIO data block for READ/WRITE MULTIPLE (word 47): a power of two, 0 = none */
    int flush_ext;           /* FLUSH CACHE EXT supported (word 83 bit 13); plain FLUSH CACHE otherwise */
    char model[41];          /* words 27-46, printable ASCII only, trailing blanks cut */
};

/* Parses the 256 words of IDENTIFY DEVICE (packet = 0) or IDENTIFY PACKET
 * DEVICE (packet = 1) as the device sent them (little-endian words). 0, or
 * -1 with *why a one-line reason (a wrong device type, a failed checksum,
 * no LBA, a capacity of 0 or past the addressing, a bad sector size). */
int ata_parse_identify(const uint16_t id[256], int packet, struct ata_identity *out, const char **why);

/* Parses READ CAPACITY(10)'s 8 bytes (big-endian last LBA, block length):
 * 0 with *blocks = last + 1 and *block_size, or -1 (block size not a power
 * of two from 512 to 4096, last LBA 0xFFFFFFFF: needs READ CAPACITY(16)). */
int atapi_parse_capacity(const uint8_t buf[8], uint64_t *blocks, uint32_t *block_size);

/* Fills a 12-byte SCSI READ(10) packet for count blocks at lba: 0, or -1 if
 * lba or count does not fit the command (lba < 2^32, 1 <= count <= 65535). */
int atapi_read10_packet(uint8_t pkt[12], uint64_t lba, uint32_t count);

#endif

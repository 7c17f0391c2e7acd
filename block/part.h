/* Partition tables (MBR with extended/logical chains, GPT): pure parsers
 * that read a disk only through a sector callback, with host unit tests and
 * fuzz targets. Every table is validated as a whole before any partition is
 * reported: a partition past the end of the disk, overlapping another, a
 * logical partition outside its extended one, a looping or over-long EBR
 * chain, a GPT with bad CRCs or sizes (when its backup is no better)
 * refuse the table with a reason and report nothing. */
#ifndef BLOCK_PART_H
#define BLOCK_PART_H
#include <stdint.h>

#define PART_MAX 16           /* partitions reported per disk (more: PART_TOO_MANY) */
#define PART_MAX_EBR 64       /* logical partitions followed in one extended chain */

/* The sector at lba (sector_size bytes), valid until the next call, or 0
 * on a read error. */
typedef const uint8_t *(*part_read_fn)(void *ctx, uint64_t lba);

struct part_entry {
    uint32_t number;          /* 1..4 primary, 5.. logical (MBR); 1.. entry index + 1 (GPT) */
    uint64_t start, sectors;  /* in the disk's sectors */
    uint8_t mbr_type;         /* MBR system id; 0 for GPT */
    uint8_t type_guid[16];    /* GPT partition type (on-disk byte order) */
    char name[37];            /* GPT name, ASCII ('?' for anything else); "" for MBR */
};

struct part_table {
    uint32_t n;
    struct part_entry e[PART_MAX];
    uint32_t dropped;         /* valid partitions past PART_MAX, not reported */
    int gpt;                  /* 1: the table was a GPT */
    int used_backup;          /* GPT: the primary header was bad, the backup served */
    const char *why;          /* set on refusal, and for notes such as used_backup */
};

enum { PART_NONE = 0, PART_OK = 1, PART_REFUSED = -1 };

/* MBR at sector 0. PART_NONE: no MBR (no 0x55AA, or boot-sector-like
 * garbage in the status bytes); PART_OK with t filled; PART_REFUSED with
 * t->why. A protective MBR (a type 0xEE entry) is reported as PART_OK with
 * t->gpt = 1 and no partitions: the caller then parses the GPT. */
int part_mbr_parse(part_read_fn read, void *ctx, uint64_t disk_sectors, uint32_t sector_size, struct part_table *t);
/* GPT: the primary header at LBA 1, the backup at the last LBA if the
 * primary (or its entry array) is bad. */
int part_gpt_parse(part_read_fn read, void *ctx, uint64_t disk_sectors, uint32_t sector_size, struct part_table *t);
/* Both: MBR, then GPT when the MBR is protective. */
int part_parse(part_read_fn read, void *ctx, uint64_t disk_sectors, uint32_t sector_size, struct part_table *t);
/* "Linux filesystem", "EFI system", ... for a GPT type GUID; 0 if unknown. */
const char *part_gpt_type_name(const uint8_t guid[16]);
/* "Linux", "FAT32 (LBA)", ... for an MBR id; 0 if unknown. */
const char *part_mbr_type_name(uint8_t id);
/* Refuses overlaps and entries outside [lo, hi]: 0, or -1 with t->why. */
int part_check_layout(struct part_table *t, uint64_t lo, uint64_t hi);

#endif

/* MBR partition tables: four primary entries at byte 446 of sector 0, and
 * for an extended partition (type 0x05, 0x0F, 0x85) a chain of EBRs, each
 * holding one logical partition (relative to that EBR) and the link to the
 * next EBR (relative to the start of the extended partition). The chain is
 * bounded (PART_MAX_EBR) and every EBR visited is remembered, so a loop is
 * refused rather than followed. Also the shared layout check. */
#include "block/part.h"
#include "lib/string.h"

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static int is_extended(uint8_t type) { return type == 0x05 || type == 0x0f || type == 0x85; }

static int refuse(struct part_table *t, const char *why) {
    t->n = 0;
    t->why = why;
    return PART_REFUSED;
}

static void add(struct part_table *t, uint32_t number, uint64_t start, uint64_t sectors, uint8_t type) {
    if (t->n == PART_MAX) { t->dropped++; return; }
    struct part_entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    e->number = number;
    e->start = start;
    e->sectors = sectors;
    e->mbr_type = type;
}

int part_check_layout(struct part_table *t, uint64_t lo, uint64_t hi) {
    for (uint32_t i = 0; i < t->n; i++) {
        const struct part_entry *a = &t->e[i];
        if (a->sectors == 0 || a->start < lo || a->start > hi || a->sectors - 1 > hi - a->start)
            return refuse(t, "a partition lies outside the disk (past its end, or over the table)");
        for (uint32_t j = 0; j < i; j++) {
            const struct part_entry *b = &t->e[j];
            if (a->start < b->start + b->sectors && b->start < a->start + a->sectors)
                return refuse(t, "partitions overlap");
        }
    }
    return 0;
}

/* The logical partitions of the extended partition [ext, ext + ext_len). */
static int walk_chain(part_read_fn read, void *ctx, uint64_t ext, uint64_t ext_len, struct part_table *t) {
    uint64_t visited[PART_MAX_EBR];
    uint64_t ebr = ext;
    uint32_t number = 5;
    for (uint32_t k = 0;; k++) {
        if (k == PART_MAX_EBR) return refuse(t, "extended partition chain is too long");
        if (ebr < ext || ebr - ext >= ext_len) return refuse(t, "an EBR lies outside its extended partition");
        for (uint32_t j = 0; j < k; j++)
            if (visited[j] == ebr) return refuse(t, "extended partition chain loops");
        visited[k] = ebr;
        const uint8_t *p = read(ctx, ebr);
        if (!p) return refuse(t, "cannot read an EBR");
        if (p[510] != 0x55 || p[511] != 0xaa) return refuse(t, "an EBR has no 0x55AA signature");
        uint8_t e0[16], e1[16];
        memcpy(e0, p + 446, 16);
        memcpy(e1, p + 462, 16);
        uint32_t rel = le32(e0 + 8), len = le32(e0 + 12);
        if (e0[4] && len) {
            uint64_t start = ebr + rel;
            /* A logical partition sits after its EBR, inside the extended one. */
            if (rel == 0 || start - ext >= ext_len || len > ext_len - (start - ext))
                return refuse(t, "a logical partition lies outside its extended partition");
            add(t, number++, start, len, e0[4]);
        }
        if (!is_extended(e1[4]) || le32(e1 + 12) == 0) return 0;
        ebr = ext + le32(e1 + 8);
    }
}

int part_mbr_parse(part_read_fn read, void *ctx, uint64_t disk_sectors, uint32_t sector_size, struct part_table *t) {
    memset(t, 0, sizeof *t);
    if (sector_size < 512 || disk_sectors < 2) return PART_NONE;
    const uint8_t *p = read(ctx, 0);
    if (!p) return refuse(t, "cannot read sector 0");
    if (p[510] != 0x55 || p[511] != 0xaa) return PART_NONE;
    uint8_t ent[4][16];
    memcpy(ent, p + 446, sizeof ent);
    /* A boot sector that is not an MBR (a whole-disk FAT volume) has code
     * or BPB bytes here: status bytes other than 0x00/0x80 say so. */
    for (int i = 0; i < 4; i++)
        if (ent[i][0] & 0x7f) return PART_NONE;
    for (int i = 0; i < 4; i++)
        if (ent[i][4] == 0xee) { t->gpt = 1; return PART_OK; }
    uint64_t ext = 0, ext_len = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t type = ent[i][4];
        uint64_t start = le32(ent[i] + 8), len = le32(ent[i] + 12);
        if (type == 0 || len == 0) continue;
        if (is_extended(type)) {
            if (ext_len) return refuse(t, "more than one extended partition");
            if (start == 0 || start >= disk_sectors || len > disk_sectors - start)
                return refuse(t, "the extended partition lies past the end of the disk");
            ext = start;
            ext_len = len;
            continue;
        }
        if (ext_len && start < ext + ext_len && ext < start + len)
            return refuse(t, "a primary partition overlaps the extended partition");
        add(t, (uint32_t)i + 1, start, len, type);
    }
    for (uint32_t i = 0; ext_len && i < t->n; i++)
        if (t->e[i].start < ext + ext_len && ext < t->e[i].start + t->e[i].sectors)
            return refuse(t, "a primary partition overlaps the extended partition");
    if (ext_len && walk_chain(read, ctx, ext, ext_len, t) != 0) return PART_REFUSED;
    if (part_check_layout(t, 1, disk_sectors - 1) != 0) return PART_REFUSED;
    return PART_OK;
}

int part_parse(part_read_fn read, void *ctx, uint64_t disk_sectors, uint32_t sector_size, struct part_table *t) {
    int r = part_mbr_parse(read, ctx, disk_sectors, sector_size, t);
    if (r == PART_OK && t->gpt) return part_gpt_parse(read, ctx, disk_sectors, sector_size, t);
    return r;
}

const char *part_mbr_type_name(uint8_t id) {
    switch (id) {
    case 0x01: return "FAT12";
    case 0x04: case 0x06: return "FAT16";
    case 0x07: return "NTFS/exFAT";
    case 0x0b: return "FAT32";
    case 0x0c: return "FAT32 (LBA)";
    case 0x0e: return "FAT16 (LBA)";
    case 0x82: return "Linux swap";
    case 0x83: return "Linux";
    case 0x8e: return "Linux LVM";
    case 0xef: return "EFI system";
    default: return 0;
    }
}

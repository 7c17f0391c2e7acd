/* GPT (UEFI 2.x, 5.3): the header at LBA 1 (the backup at the last LBA)
 * with its CRC32 over header_size bytes, the entry array with its CRC32,
 * every size and location checked before use: the header fits in 512
 * bytes, entries are 128 * 2^k bytes and divide the sector, the array lies
 * on the disk outside the usable area, every partition inside it. The array
 * is streamed sector by sector (CRC and entries together): no buffer
 * proportional to its size. */
#include "block/part.h"
#include "lib/crc32.h"
#include "lib/string.h"

#define GPT_MAX_ENTRIES 4096

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static int refuse(struct part_table *t, const char *why) {
    t->n = 0;
    t->dropped = 0;
    t->why = why;
    return PART_REFUSED;
}

static void entry_name(char out[37], const uint8_t *utf16) {
    int i = 0;
    for (; i < 36; i++) {
        uint16_t c = (uint16_t)(utf16[2 * i] | utf16[2 * i + 1] << 8);
        if (c == 0) break;
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[i] = 0;
}

static int parse_at(part_read_fn read, void *ctx, uint64_t disk_sectors, uint32_t ss, uint64_t lba,
                    struct part_table *t) {
    memset(t, 0, sizeof *t);
    t->gpt = 1;
    const uint8_t *p = read(ctx, lba);
    if (!p) return refuse(t, "cannot read the GPT header");
    uint8_t h[512];
    memcpy(h, p, sizeof h);
    if (memcmp(h, "EFI PART", 8) != 0) return refuse(t, "no GPT header signature");
    uint32_t hsize = le32(h + 12);
    if (hsize < 92 || hsize > sizeof h) return refuse(t, "GPT header size is invalid");
    uint32_t crc = le32(h + 16);
    memset(h + 16, 0, 4);
    if (crc32(h, hsize) != crc) return refuse(t, "GPT header CRC is wrong");
    uint64_t my = le64(h + 24), first = le64(h + 40), last = le64(h + 48), array = le64(h + 72);
    uint32_t count = le32(h + 80), esize = le32(h + 84), array_crc = le32(h + 88);
    if (my != lba) return refuse(t, "GPT header is not where it says it is");
    if (first > last || last >= disk_sectors || first < 2) return refuse(t, "GPT usable area is invalid");
    if (esize < 128 || (esize & (esize - 1)) || esize > ss || count == 0 || count > GPT_MAX_ENTRIES)
        return refuse(t, "GPT entry size or count is invalid");
    uint64_t bytes = (uint64_t)count * esize, nsec = (bytes + ss - 1) / ss;
    if (array < 2 || array >= disk_sectors || nsec > disk_sectors - array || array == lba ||
        (lba >= array && lba < array + nsec))
        return refuse(t, "GPT entry array lies outside the disk or over its header");
    if (!(array + nsec <= first || array > last)) return refuse(t, "GPT entry array overlaps the usable area");
    uint32_t run = 0;
    for (uint64_t s = 0; s < nsec; s++) {
        const uint8_t *sec = read(ctx, array + s);
        if (!sec) return refuse(t, "cannot read the GPT entry array");
        uint32_t in = (uint32_t)(bytes - s * ss < ss ? bytes - s * ss : ss);
        run = crc32_update(run, sec, in);
        for (uint32_t off = 0; off + esize <= in; off += esize) {
            const uint8_t *e = sec + off;
            static const uint8_t zero[16];
            if (memcmp(e, zero, 16) == 0) continue;
            uint64_t a = le64(e + 32), b = le64(e + 40);
            if (a > b || a < first || b > last) return refuse(t, "a GPT partition lies outside the usable area");
            if (t->n == PART_MAX) { t->dropped++; continue; }
            struct part_entry *pe = &t->e[t->n++];
            memset(pe, 0, sizeof *pe);
            pe->number = (uint32_t)((s * ss + off) / esize) + 1;
            pe->start = a;
            pe->sectors = b - a + 1;
            memcpy(pe->type_guid, e, 16);
            entry_name(pe->name, e + 56);
        }
    }
    if (run != array_crc) return refuse(t, "GPT entry array CRC is wrong");
    if (part_check_layout(t, first, last) != 0) return PART_REFUSED;
    return PART_OK;
}

int part_gpt_parse(part_read_fn read, void *ctx, uint64_t disk_sectors, uint32_t sector_size, struct part_table *t) {
    if (sector_size < 512 || disk_sectors < 4) { memset(t, 0, sizeof *t); return refuse(t, "disk too small for a GPT"); }
    if (parse_at(read, ctx, disk_sectors, sector_size, 1, t) == PART_OK) return PART_OK;
    const char *primary_why = t->why;
    if (parse_at(read, ctx, disk_sectors, sector_size, disk_sectors - 1, t) == PART_OK) {
        t->used_backup = 1;
        t->why = primary_why;
        return PART_OK;
    }
    return refuse(t, primary_why);
}

struct guid_name { uint8_t guid[16]; const char *name; };
/* On-disk order: the first three fields little-endian. */
static const struct guid_name guid_names[] = {
    { { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 }, "Linux filesystem" },
    { { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b }, "EFI system" },
    { { 0x6d, 0xfd, 0x57, 0x06, 0xab, 0xa4, 0xc4, 0x43, 0x84, 0xe5, 0x09, 0x33, 0xc8, 0x4b, 0x4f, 0x4f }, "Linux swap" },
    { { 0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7 }, "Microsoft basic data" },
};

const char *part_gpt_type_name(const uint8_t guid[16]) {
    for (unsigned i = 0; i < sizeof guid_names / sizeof guid_names[0]; i++)
        if (memcmp(guid, guid_names[i].guid, 16) == 0) return guid_names[i].name;
    return 0;
}

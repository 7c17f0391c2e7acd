/* Fuzzes drivers/ata_id.c with whatever a device could send: 512 bytes of
 * IDENTIFY (as ATA and as ATAPI) and 8 of READ CAPACITY. Whatever the input,
 * an accepted identity keeps the header's invariant (sector size a power of
 * two in 512..4096, 1 <= sectors inside the addressing, no overflow of the
 * byte size), the model string is printable and terminated, and a READ(10)
 * packet is built only for what fits. */
#include "tests/fuzz/fuzz.h"
#include "drivers/ata_id.h"

static void check_identity(const struct ata_identity *r) {
    CHECK(r->sector_size >= 512 && r->sector_size <= 4096 && !(r->sector_size & (r->sector_size - 1)));
    if (!r->atapi) {
        CHECK(r->sectors >= 1);
        CHECK(r->sectors <= (r->lba48 ? ATA_LBA48_MAX : ATA_LBA28_MAX));
        CHECK(r->sectors <= UINT64_MAX / r->sector_size);
        CHECK(r->multiple <= 128 && !(r->multiple & (r->multiple - 1)));
    }
    size_t n = 0;
    while (n < sizeof r->model && r->model[n]) {
        CHECK(r->model[n] >= 0x20 && r->model[n] < 0x7f);
        n++;
    }
    CHECK(n < sizeof r->model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint16_t id[256] = { 0 };
    memcpy(id, data, size < 512 ? size : 512);
    for (int packet = 0; packet < 2; packet++) {
        struct ata_identity r;
        const char *why = 0;
        if (ata_parse_identify(id, packet, &r, &why) == 0) check_identity(&r);
        else CHECK(why && why[0]);
    }
    if (size >= 520) {
        uint64_t blocks;
        uint32_t bs;
        if (atapi_parse_capacity(data + 512, &blocks, &bs) == 0) {
            CHECK(blocks >= 1 && blocks <= (1ull << 32));
            CHECK(bs >= 512 && bs <= 4096 && !(bs & (bs - 1)));
        }
    }
    if (size >= 532) {
        uint64_t lba;
        uint32_t count;
        memcpy(&lba, data + 520, 8);
        memcpy(&count, data + 528, 4);
        uint8_t p[12];
        int r = atapi_read10_packet(p, lba, count);
        CHECK((r == 0) == (lba <= 0xFFFFFFFFull && count >= 1 && count <= 0xFFFF));
        if (r == 0) CHECK(p[0] == SCSI_READ_10 && ((uint32_t)p[7] << 8 | p[8]) == count);
    }
    return 0;
}

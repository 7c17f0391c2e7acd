/* The ESP's identity: SHA-256 of the first 512 bytes of the block device the
 * loaded image came from. The kernel hashes the first sector of every disk
 * and partition it finds the same way (fs/esp.c); a volume-serial or GUID
 * would be shorter but is not present on every FAT, while the boot sector
 * is, and it carries the serial, label and geometry that make it unique. */
#include "uefi/esp_id.h"
#include "lib/sha256.h"
#include "uefi/log.h"

#define ESP_ID_BYTES 512

void esp_id_fill(EFI_BOOT_SERVICES *bs, EFI_HANDLE image, struct secos_boot_info *bi)
{
    EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
    EFI_GUID bio_guid = EFI_BLOCK_IO_PROTOCOL_GUID;
    EFI_LOADED_IMAGE *li;
    EFI_BLOCK_IO *bio;
    void *buf = 0;
    EFI_STATUS s;

    bi->esp_id_valid = 0;
    s = bs->HandleProtocol(image, &li_guid, (void **)&li);
    if (!EFI_ERROR(s))
        s = bs->HandleProtocol(li->DeviceHandle, &bio_guid, (void **)&bio);
    if (EFI_ERROR(s)) {
        say("[UEFI] ESP id: no block device under the loaded image (status 0x%x)\n", (uint64_t)s);
        return;
    }
    UINT32 bsize = bio->Media->BlockSize;
    if (bsize < ESP_ID_BYTES || bsize > 65536 || !bio->Media->MediaPresent) {
        say("[UEFI] ESP id: unusable block size %u\n", (uint64_t)bsize);
        return;
    }
    s = bs->AllocatePool(EfiLoaderData, bsize, &buf);
    if (!EFI_ERROR(s))
        s = bio->ReadBlocks(bio, bio->Media->MediaId, 0, bsize, buf);
    if (!EFI_ERROR(s)) {
        struct sha256 h;
        sha256_init(&h);
        sha256_update(&h, buf, ESP_ID_BYTES);
        sha256_final(&h, bi->esp_id);
        bi->esp_id_valid = 1;
        say("[UEFI] ESP id: SHA-256 of the boot volume's first 512 bytes (%u-byte blocks)\n", (uint64_t)bsize);
    } else {
        say("[UEFI] ESP id: reading block 0 failed (status 0x%x)\n", (uint64_t)s);
    }
    if (buf)
        bs->FreePool(buf);
}

/* The identity of the volume the loader came from (the ESP), for the kernel
 * to find among its own block devices: SHA-256 of its first 512 bytes. */
#ifndef UEFI_ESP_ID_H
#define UEFI_ESP_ID_H

#include <efi.h>
#include "secos/boot_info.h"

/* Reads the first block of the EFI_BLOCK_IO device under image's
 * DeviceHandle and fills bi->esp_id / esp_id_valid (0 with one [UEFI] line
 * saying why when it cannot). Allocates only pool memory, freed again, so
 * call it before the final memory map. */
void esp_id_fill(EFI_BOOT_SERVICES *bs, EFI_HANDLE image, struct secos_boot_info *bi);

#endif

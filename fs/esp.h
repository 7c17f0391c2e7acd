/* The ESP the UEFI loader booted from, mounted as FAT at /boot/efi:
 * read-only unless the command line says esp=rw, not at all with esp=off. */
#ifndef FS_ESP_H
#define FS_ESP_H

#define ESP_MOUNT_DIR "/boot/efi"

/* Boot, after the block devices and their partitions are registered: finds
 * the device whose first 512 bytes hash to boot_info.esp_id and mounts it.
 * Prints one [esp] line saying what it did or why not; never fails the boot.
 * Nothing (and no line) when the loader was not SECoS's UEFI loader. */
void fs_esp_mount(const char *cmdline);

#endif

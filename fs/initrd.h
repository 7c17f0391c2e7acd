/* The initrd: a cpio newc archive handed over by the boot loader as a boot
 * module (GRUB `module2 /boot/initrd.cpio initrd`, QEMU `-initrd x.cpio`,
 * or \initrd.cpio read by our UEFI loader, which the kernel names "initrd"),
 * unpacked into the VFS at boot. Built by tools/mkinitrd.sh.
 */
#ifndef FS_INITRD_H
#define FS_INITRD_H
#include <stdint.h>

/* Unpacks every boot module whose name (its first word) is "initrd" or ends
 * in ".cpio", or whose data starts with the newc magic "070701"; RAM disks (block/ramdisk.h:
 * "disk", "*.img") are skipped and keep their frames; other modules are
 * named and left alone. Directories and files are
 * created under / (bin/hello -> /bin/hello, missing parents included), files
 * immutable. Prints one line per module:
 *   [initrd] <n> files, <m> dirs, <bytes> bytes unpacked
 * or, at the first bad header or VFS failure,
 *   [initrd] error: <reason> at entry <i>
 * after which that module is abandoned: what was already created stays and
 * the boot goes on. Symlinks, devices, FIFOs and sockets are named and
 * skipped. An existing directory is fine; an existing file is an error,
 * except a mutable one (the default /init.rc), which the initrd replaces.
 * Called once, from fs_late_init(), after the RAMFS is mounted. */
void initrd_unpack_all(void);

/* One archive in memory (what initrd_unpack_all does per module). Returns
 * 0, or a negative CPIO_ERR_* / errno after printing the error line. */
int initrd_unpack(const void *data, uint64_t size);

#endif

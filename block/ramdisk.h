/* RAM disks from boot modules: a module whose name's first word is "disk"
 * or ends in ".img" (QEMU: -initrd "initrd.cpio,disk.img") becomes the
 * block device ram0 (then ram1, ...), writable, served from the module's
 * own frames (kept reserved, never copied). Its contents are lost at
 * power-off: it is a test and scratch disk, not storage. */
#ifndef BLOCK_RAMDISK_H
#define BLOCK_RAMDISK_H
#include <stdint.h>

struct boot_module;

/* 1 if the module is a RAM disk by the rule above (fs/initrd.c skips it). */
int ramdisk_is_module(const struct boot_module *m);
/* Registers every such boot module; one line each. Boot, before fs. */
void ramdisk_init(void);

#endif

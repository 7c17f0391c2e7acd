/* The end of the boot tree: once the initrd is unpacked, what boot made
 * stays put. /init.rc (the kernel's default or the initrd's) becomes
 * immutable: the console runs it with its own rights, so no process may
 * rewrite it for the next `source`. Every directory that exists now (/, /sys,
 * /bin, the initrd's) is pinned: it cannot be renamed or removed, so nobody
 * can move /bin aside and plant another one in its place. */
#include "fs/fs.h"
#include "fs/ramfs.h"
#include "lib/console_out.h"

void fs_seal_boot_tree(void) {
    struct ramfs *fs = fs_root_ramfs();
    if (!fs) return;
    int r = ramfs_set_immutable(fs, "/init.rc");
    if (r && r != -ENOENT) kprintf("[FS] error: sealing /init.rc: %s\n", vfs_strerror(r));
    ramfs_pin_all_dirs(fs);
}

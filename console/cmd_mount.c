/* Disk file systems from the console: mount, umount, df, sync, and (test
 * configuration) diskdump, which gets a RAM disk's bytes back to the host. */
#include "fs/fs.h"
#include "fs/mount.h"
#include "block/blockdev.h"
#include "console/shell_fs.h"
#include "console/shell.h"
#include "lib/console_out.h"
#include "lib/string.h"

static void list_mounts(void) {
    struct fs_mount_info mi;
    for (uint32_t i = 0; fs_mount_at(i, &mi) == 0; i++)
        kprintf("/dev/%s on %s type %s (%s)\n", mi.dev, mi.dir, mi.type, mi.flags & FS_MOUNT_RDONLY ? "ro" : "rw");
}

static int cmd_mount(int argc, char **argv) {
    if (argc == 1) {
        list_mounts();
        return 0;
    }
    if (argc < 3 || argc > 5) return fs_usage("mount");
    char dir[VFS_PATH_MAX + 1];
    if (fs_shell_path("mount", argv[2], dir)) return -1;
    const char *type = "auto";
    unsigned flags = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "ro") == 0) flags |= FS_MOUNT_RDONLY;
        else if (strcmp(argv[i], "rw") == 0) flags &= ~FS_MOUNT_RDONLY;
        else type = argv[i];
    }
    int r = fs_mount(argv[1], dir, type, flags);
    if (r == -ENODEV) {
        kprintf("mount: %s: no such device, or no file system on it that SECoS knows\n", argv[1]);
        return -1;
    }
    if (r == -EINVAL) {
        kprintf("mount: %s: not a valid %s file system\n", argv[1], type);
        return -1;
    }
    return r ? fs_fail("mount", dir, r) : 0;
}
SHELL_COMMAND(mount, "mount", "mount [device dir [vfat|msdos|exfat|ext2|auto] [ro]]",
              "mount a disk file system (no arguments: list the mounts)", cmd_mount);

static int cmd_umount(int argc, char **argv) {
    if (argc != 2) return fs_usage("umount");
    char dir[VFS_PATH_MAX + 1];
    if (fs_shell_path("umount", argv[1], dir)) return -1;
    int r = fs_umount(dir);
    if (r == -EINVAL) {
        kprintf("umount: %s: not a disk mount point\n", dir);
        return -1;
    }
    return r ? fs_fail("umount", dir, r) : 0;
}
SHELL_COMMAND(umount, "umount", "umount dir", "write back and unmount the disk file system on dir", cmd_umount);

static int cmd_df(int argc, char **argv) {
    (void)argv;
    if (argc != 1) return fs_usage("df");
    struct fs_mount_info mi;
    kprintf("Filesystem     1K-blocks       Used  Available Use%% Mounted on\n");
    for (uint32_t i = 0; fs_mount_at(i, &mi) == 0; i++) {
        uint64_t total = mi.usage.blocks * mi.usage.bsize / 1024;
        uint64_t avail = mi.usage.bfree * mi.usage.bsize / 1024;
        uint64_t used = total - avail;
        uint64_t pct = total ? (used * 100 + total - 1) / total : 0;
        kprintf("/dev/%-9s %10lu %10lu %10lu %3lu%% %s\n", mi.dev, total, used, avail, pct, mi.dir);
    }
    return 0;
}
SHELL_COMMAND(df, "df", "df", "space on every mounted disk file system, in KiB", cmd_df);

static int cmd_sync(int argc, char **argv) {
    (void)argv;
    if (argc != 1) return fs_usage("sync");
    int r = fs_sync_all();
    return r ? fs_fail("sync", "(all)", r) : 0;
}
SHELL_COMMAND(sync, "sync", "sync", "write back every mounted disk file system", cmd_sync);

#if SECOS_TEST_CONFIG
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* "S <lba> <base64 of 512 bytes>" per sector that is not all zero, then
 * "END <sectors>": a sparse image the host rebuilds (tests/qemu/test_fat.py). */
static int cmd_diskdump(int argc, char **argv) {
    if (argc != 2) return fs_usage("diskdump");
    struct blockdev *d = blockdev_find(argv[1]);
    if (!d) {
        kprintf("diskdump: %s: no such device\n", argv[1]);
        return -1;
    }
    uint64_t sectors = blk_size(d) / 512;
    static uint8_t sec[512];
    static char line[700];
    for (uint64_t s = 0; s < sectors; s++) {
        long r = blk_read(d, s * 512, sec, 512);
        if (r < 0) return fs_fail("diskdump", argv[1], (int)r);
        int zero = 1;
        for (int i = 0; i < 512 && zero; i++) zero = sec[i] == 0;
        if (zero) continue;
        int n = 0;
        for (int i = 0; i < 512; i += 3) {
            uint32_t v = (uint32_t)sec[i] << 16 | (i + 1 < 512 ? (uint32_t)sec[i + 1] << 8 : 0) |
                         (i + 2 < 512 ? sec[i + 2] : 0);
            line[n++] = b64[v >> 18 & 63];
            line[n++] = b64[v >> 12 & 63];
            line[n++] = i + 1 < 512 ? b64[v >> 6 & 63] : '=';
            line[n++] = i + 2 < 512 ? b64[v & 63] : '=';
        }
        line[n] = 0;
        kprintf("S %lu %s\n", s, line);
    }
    kprintf("END %lu\n", sectors);
    return 0;
}
SHELL_COMMAND(diskdump, "diskdump", "diskdump device",
              "test configuration: the device's non-zero sectors in base64, for the host", cmd_diskdump);
#endif

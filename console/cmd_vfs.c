/* The v* shell commands: the VFS as one tree of absolute paths, and its
 * mount table. Relative arguments are resolved against the shell's working
 * directory; what they print is always absolute. */
#include "fs/fs.h"
#include "fs/path.h"
#include "console/shell_fs.h"
#include "lib/console_out.h"
#include "console/shell.h"
#include "lib/string.h"

/* One "TYPE SIZE PATH" line, the format of /sys/manifest.txt. */
static void show(const char *path, enum vfs_type type, uint64_t size) {
    kprintf("%c %lu %s\n", type == VFS_DIR ? 'D' : 'F', size, path);
}

static int cmd_vls(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1], entry[VFS_PATH_MAX + 1];
    struct vfs_stat st;
    struct vfs_dirent d;
    if (argc > 2) return fs_usage("vls");
    if (fs_shell_path("vls", argc > 1 ? argv[1] : ".", path)) return -1;
    int r = vfs_lookup(path, &st);
    if (r) return fs_fail("vls", path, r);
    if (st.type == VFS_FILE) {
        show(path, st.type, st.size);
        return 0;
    }
    for (uint32_t i = 0; (r = vfs_readdir(path, i, &d)) == 0; i++) {
        int j = path_join(path, d.name, entry, sizeof entry);
        if (j) return fs_fail("vls", path, j);
        show(entry, d.type, d.size);
    }
    return r == -ENOENT ? 0 : fs_fail("vls", path, r);
}
SHELL_COMMAND(vls, "vls", "vls [path]", "VFS listing: TYPE SIZE and the absolute path of each entry", cmd_vls);

static int cmd_vcat(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    if (argc != 2) return fs_usage("vcat");
    if (fs_shell_path("vcat", argv[1], path)) return -1;
    return fs_cat("vcat", path);
}
SHELL_COMMAND(vcat, "vcat", "vcat <path>", "print a file through the VFS", cmd_vcat);

/* The mount serving path: the longest mount point it lies within. */
static int mount_of(const char *path, const char **point, const char **fsname) {
    const char *p, *n;
    int found = 0;
    for (uint32_t i = 0; vfs_mount_info(i, &p, &n) == 0; i++) {
        if (path_is_within(p, path) && (!found || strlen(p) > strlen(*point))) {
            *point = p;
            *fsname = n;
            found = 1;
        }
    }
    return found;
}

static int cmd_vinfo(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    struct vfs_stat st;
    const char *point, *fsname;
    if (argc != 2) return fs_usage("vinfo");
    if (fs_shell_path("vinfo", argv[1], path)) return -1;
    int r = vfs_lookup(path, &st);
    if (r) return fs_fail("vinfo", path, r);
    kprintf("path:  %s\n", path);
    kprintf("type:  %s\n", st.type == VFS_DIR ? "directory" : "file");
    kprintf("size:  %lu %s\n", st.size, st.type == VFS_DIR ? "entries" : "bytes");
    if (mount_of(path, &point, &fsname)) kprintf("mount: %s (%s)\n", point, fsname);
    return 0;
}
SHELL_COMMAND(vinfo, "vinfo", "vinfo <path>", "VFS view of a path: type, size and the mount serving it", cmd_vinfo);

static int cmd_vpwd(int argc, char **argv) {
    (void)argv;
    if (argc != 1) return fs_usage("vpwd");
    kprintf("%s\n", fs_shell_cwd());
    return 0;
}
SHELL_COMMAND(vpwd, "vpwd", "vpwd", "print the working directory (an absolute VFS path)", cmd_vpwd);

static int cmd_vmount(int argc, char **argv) {
    (void)argv;
    const char *point, *fsname;
    if (argc != 1) return fs_usage("vmount");
    for (uint32_t i = 0; vfs_mount_info(i, &point, &fsname) == 0; i++) kprintf("%s %s\n", point, fsname);
    return 0;
}
SHELL_COMMAND(vmount, "vmount", "vmount", "the mount table: mount point and filesystem, one per line", cmd_vmount);

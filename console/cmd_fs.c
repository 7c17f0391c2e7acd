/* The rf* shell commands: files and directories by paths relative to the
 * shell's working directory, through the VFS (so they work on whatever is
 * mounted there). Success is silent unless the command shows something;
 * every failure prints "<cmd>: <path>: <reason>" and returns -1. */
#include "fs/fs.h"
#include "fs/path.h"
#include "fs/ramfs.h"
#include "console/shell_fs.h"
#include "lib/console_out.h"
#include "console/shell.h"
#include "lib/lineedit.h"
#include "lib/string.h"
#include "mm/kheap.h"

#define INFO_PREVIEW 32   /* bytes of a file rfinfo shows */

static int parse_number(const char *cmd, const char *what, const char *s, uint64_t *out) {
    unsigned long long v;
    if (parse_u64(s, &v) != 0) {
        kprintf("%s: bad %s '%s' (a decimal or 0x number)\n", cmd, what, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int cmd_rfls(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    struct vfs_stat st;
    struct vfs_dirent d;
    if (argc > 2) return fs_usage("rfls");
    if (fs_shell_path("rfls", argc > 1 ? argv[1] : ".", path)) return -1;
    int r = vfs_lookup(path, &st);
    if (r) return fs_fail("rfls", path, r);
    if (st.type == VFS_FILE) {
        kprintf("F %8lu  %pE%s\n", st.size, path_basename(path), st.immutable ? "  (immutable)" : "");
        return 0;
    }
    for (uint32_t i = 0; (r = vfs_readdir(path, i, &d)) == 0; i++)
        kprintf("%c %8lu  %pE%s%s\n", d.type == VFS_DIR ? 'D' : 'F', d.size, d.name,
                d.type == VFS_DIR ? "/" : "", d.immutable ? "  (immutable)" : "");
    if (r != -ENOENT) return fs_fail("rfls", path, r);
    return 0;
}
SHELL_COMMAND(rfls, "rfls", "rfls [path]", "list a directory: type, size (bytes or entries), name", cmd_rfls);

static int cmd_rfcat(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    if (argc != 2) return fs_usage("rfcat");
    if (fs_shell_path("rfcat", argv[1], path)) return -1;
    return fs_cat("rfcat", path);
}
SHELL_COMMAND(rfcat, "rfcat", "rfcat <path>", "print a file (bytes that are not printable as \\xNN)", cmd_rfcat);

static int cmd_rfinfo(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    uint8_t head[INFO_PREVIEW];
    struct vfs_stat st;
    if (argc != 2) return fs_usage("rfinfo");
    if (fs_shell_path("rfinfo", argv[1], path)) return -1;
    int r = vfs_lookup(path, &st);
    if (r) return fs_fail("rfinfo", path, r);
    kprintf("path:      %pE\n", path);
    kprintf("type:      %s\n", st.type == VFS_DIR ? "directory" : "file");
    kprintf("size:      %lu %s\n", st.size, st.type == VFS_DIR ? "entries" : "bytes");
    kprintf("immutable: %s\n", st.immutable ? "yes" : "no");
    if (st.type == VFS_FILE) {
        long n = vfs_read(path, 0, head, sizeof head);
        if (n < 0) return fs_fail("rfinfo", path, (int)n);
        kprintf("first:     \"");
        fs_print_safe(head, (uint64_t)n, 1);
        kprintf("\"%s\n", st.size > (uint64_t)n ? " ..." : "");
    }
    return 0;
}
SHELL_COMMAND(rfinfo, "rfinfo", "rfinfo <path>", "type, size, immutable flag and the first bytes of a file", cmd_rfinfo);

static int cmd_rfadd(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1], text[LINE_MAX_LEN + 1];
    if (argc < 2) return fs_usage("rfadd");
    if (fs_shell_path("rfadd", argv[1], path)) return -1;
    long len = fs_join_words(argc, argv, 2, text, sizeof text);
    if (len < 0) return fs_fail("rfadd", path, -E2BIG);
    int r = vfs_create(path, 0, text, (uint64_t)len);
    return r ? fs_fail("rfadd", path, r) : 0;
}
SHELL_COMMAND(rfadd, "rfadd", "rfadd <path> [text]", "create a mutable file holding the words of text, joined by one space", cmd_rfadd);

/* Scripts need several lines, and a shell line cannot carry a newline. */
static int cmd_rfappendline(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1], text[LINE_MAX_LEN + 2];
    struct vfs_stat st;
    if (argc < 2) return fs_usage("rfappendline");
    if (fs_shell_path("rfappendline", argv[1], path)) return -1;
    long len = fs_join_words(argc, argv, 2, text, sizeof text - 1);
    if (len < 0) return fs_fail("rfappendline", path, -E2BIG);
    text[len++] = '\n';
    int r = vfs_lookup(path, &st);
    if (r == -ENOENT) r = vfs_create(path, 0, text, (uint64_t)len);
    else if (r == 0 && st.type != VFS_FILE) r = -EISDIR;
    else if (r == 0) {
        long n = vfs_write(path, st.size, text, (uint64_t)len);
        r = n < 0 ? (int)n : 0;
    }
    return r ? fs_fail("rfappendline", path, r) : 0;
}
SHELL_COMMAND(rfappendline, "rfappendline", "rfappendline <path> [text]", "append text and a newline to a file (created if missing): one script line for source", cmd_rfappendline);

static int cmd_rfwrite(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1], text[LINE_MAX_LEN + 1];
    uint64_t off;
    if (argc < 4) return fs_usage("rfwrite");
    if (fs_shell_path("rfwrite", argv[1], path)) return -1;
    if (parse_number("rfwrite", "offset", argv[2], &off)) return -1;
    long len = fs_join_words(argc, argv, 3, text, sizeof text);
    if (len < 0) return fs_fail("rfwrite", path, -E2BIG);
    long n = vfs_write(path, off, text, (uint64_t)len);
    return n < 0 ? fs_fail("rfwrite", path, (int)n) : 0;
}
SHELL_COMMAND(rfwrite, "rfwrite", "rfwrite <path> <off> <text>", "write text at a byte offset; the file grows (a gap is zero-filled)", cmd_rfwrite);

static int cmd_rfdel(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    struct vfs_stat st;
    if (argc != 2) return fs_usage("rfdel");
    if (fs_shell_path("rfdel", argv[1], path)) return -1;
    int r = vfs_lookup(path, &st);
    if (r == 0 && st.type == VFS_DIR) {
        kprintf("rfdel: %s: is a directory (use rfrmdir)\n", path);
        return -1;
    }
    if (r == 0) r = vfs_remove(path);
    return r ? fs_fail("rfdel", path, r) : 0;
}
SHELL_COMMAND(rfdel, "rfdel", "rfdel <path>", "delete a file", cmd_rfdel);

static int cmd_rfmkdir(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    if (argc != 2) return fs_usage("rfmkdir");
    if (fs_shell_path("rfmkdir", argv[1], path)) return -1;
    int r = vfs_mkdir(path);
    return r ? fs_fail("rfmkdir", path, r) : 0;
}
SHELL_COMMAND(rfmkdir, "rfmkdir", "rfmkdir <path>", "create a directory", cmd_rfmkdir);

static int cmd_rfrmdir(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    struct vfs_stat st;
    if (argc != 2) return fs_usage("rfrmdir");
    if (fs_shell_path("rfrmdir", argv[1], path)) return -1;
    int r = vfs_lookup(path, &st);
    if (r == 0 && st.type != VFS_DIR) r = -ENOTDIR;
    /* Keep the working directory a directory that exists (its ancestors
     * are not empty, so they are refused anyway). */
    else if (r == 0 && strcmp(path, fs_shell_cwd()) == 0) {
        kprintf("rfrmdir: %s: is the working directory (rfcd elsewhere first)\n", path);
        return -1;
    }
    if (r == 0) r = vfs_remove(path);
    return r ? fs_fail("rfrmdir", path, r) : 0;
}
SHELL_COMMAND(rfrmdir, "rfrmdir", "rfrmdir <path>", "remove an empty directory", cmd_rfrmdir);

static int cmd_rfcd(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    struct vfs_stat st;
    if (argc > 2) return fs_usage("rfcd");
    if (fs_shell_path("rfcd", argc > 1 ? argv[1] : "/", path)) return -1;
    int r = vfs_lookup(path, &st);
    if (r == 0 && st.type != VFS_DIR) r = -ENOTDIR;
    if (r) return fs_fail("rfcd", path, r);
    fs_shell_set_cwd(path);
    return 0;
}
SHELL_COMMAND(rfcd, "rfcd", "rfcd [path]", "change the working directory (default /)", cmd_rfcd);

static int cmd_rfpwd(int argc, char **argv) {
    (void)argv;
    if (argc != 1) return fs_usage("rfpwd");
    kprintf("%s\n", fs_shell_cwd());
    return 0;
}
SHELL_COMMAND(rfpwd, "rfpwd", "rfpwd", "print the working directory", cmd_rfpwd);

static int tree_line(const char *path, const struct vfs_dirent *d, uint32_t depth,
                     const uint8_t *last, void *ctx) {
    (void)path; (void)ctx;
    for (uint32_t i = 0; i + 1 < depth; i++) kprintf("%s", last[i] ? "   " : "\u2502  ");
    kprintf("%s", last[depth - 1] ? "\u2514\u2500 " : "\u251c\u2500 ");
    kprintf("%pE%s\n", d->name, d->type == VFS_DIR ? "/" : "");
    return 0;
}

static int cmd_rftree(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    if (argc > 2) return fs_usage("rftree");
    if (fs_shell_path("rftree", argc > 1 ? argv[1] : ".", path)) return -1;
    struct vfs_stat st;
    int r = vfs_lookup(path, &st);
    if (r == 0 && st.type != VFS_DIR) r = -ENOTDIR;
    if (r) return fs_fail("rftree", path, r);
    kprintf("%s\n", path);
    r = vfs_walk(path, tree_line, 0);
    return r ? fs_fail("rftree", path, r) : 0;
}
SHELL_COMMAND(rftree, "rftree", "rftree [path]", "draw the directory tree below a directory", cmd_rftree);

static int cmd_rfusage(int argc, char **argv) {
    (void)argv;
    struct ramfs_usage u;
    if (argc != 1) return fs_usage("rfusage");
    if (!fs_root_ramfs()) {
        kprintf("rfusage: no RAMFS mounted at /\n");
        return -1;
    }
    ramfs_get_usage(fs_root_ramfs(), &u);
    kprintf("files:      %u\n", u.files);
    kprintf("dirs:       %u (the root included)\n", u.dirs);
    kprintf("bytes:      %lu of %u (max %u per file)\n", u.bytes, RAMFS_MAX_TOTAL_BYTES, RAMFS_MAX_FILE_SIZE);
    kprintf("free slots: %u of %u nodes\n", u.free_nodes, RAMFS_MAX_NODES);
    return 0;
}
SHELL_COMMAND(rfusage, "rfusage", "rfusage", "RAMFS at /: files, directories, bytes and free node slots, with the limits", cmd_rfusage);

static int rfmv(int argc, char **argv, char *from, char *to, char *cwd);

/* Three paths: on the heap, not on the console's stack. */
static int cmd_rfmv(int argc, char **argv) {
    char *buf = kmalloc(3 * (VFS_PATH_MAX + 1));
    if (!buf) {
        kprintf("rfmv: out of memory\n");
        return -1;
    }
    int r = rfmv(argc, argv, buf, buf + VFS_PATH_MAX + 1, buf + 2 * (VFS_PATH_MAX + 1));
    kfree(buf);
    return r;
}

static int rfmv(int argc, char **argv, char *from, char *to, char *cwd) {
    if (argc != 3) return fs_usage("rfmv");
    if (fs_shell_path("rfmv", argv[1], from) || fs_shell_path("rfmv", argv[2], to)) return -1;
    int r = vfs_rename(from, to);
    if (r == -EINVAL && path_is_within(from, to)) {
        kprintf("rfmv: %s -> %s: cannot move a directory into itself\n", from, to);
        return -1;
    }
    if (r) {
        kprintf("rfmv: %s -> %s: %s\n", from, to, vfs_strerror(r));
        return -1;
    }
    /* The working directory moves with the directory that holds it. */
    const char *old = fs_shell_cwd();
    if (path_is_within(from, old)) {
        size_t n = strlen(to), rest = strlen(old + strlen(from));
        if (n + rest > VFS_PATH_MAX) {
            kprintf("rfmv: the working directory is now too long a path; back to /\n");
            fs_shell_set_cwd("/");
        } else {
            memcpy(cwd, to, n);
            memcpy(cwd + n, old + strlen(from), rest + 1);
            fs_shell_set_cwd(cwd);
        }
    }
    return 0;
}
SHELL_COMMAND(rfmv, "rfmv", "rfmv <old> <new>", "rename or move a file or directory (never replaces an existing name)", cmd_rfmv);

static int cmd_rftruncate(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    uint64_t size;
    if (argc != 3) return fs_usage("rftruncate");
    if (fs_shell_path("rftruncate", argv[1], path)) return -1;
    if (parse_number("rftruncate", "size", argv[2], &size)) return -1;
    int r = vfs_truncate(path, size);
    return r ? fs_fail("rftruncate", path, r) : 0;
}
SHELL_COMMAND(rftruncate, "rftruncate", "rftruncate <path> <size>", "shrink a file, or extend it with zero bytes", cmd_rftruncate);

/* vfs_walk: a depth-first walk without recursion. The state is one path
 * buffer plus, per level, the readdir index and whether that level's entry
 * was its directory's last; re-reading entries by index keeps no directory
 * handle open, which is all the VFS offers. */
#include "fs/fs.h"
#include "fs/path.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "secos/errno.h"

/* Every level adds at least "/x" to the path. */
#define WALK_MAX_DEPTH (VFS_PATH_MAX / 2 + 1)

struct walk_state {
    char path[VFS_PATH_MAX + 1];     /* the directory being listed */
    uint32_t index[WALK_MAX_DEPTH];  /* next entry to read, per level */
    uint8_t last[WALK_MAX_DEPTH];
};

static int walk(struct walk_state *w, const char *dir, vfs_walk_fn fn, void *ctx);

/* "/a/b" -> "/a", "/a" -> "/". */
static void cut_last(char *path) {
    char *slash = path + strlen(path);
    while (slash[-1] != '/') slash--;
    slash[slash - 1 == path ? 0 : -1] = '\0';
}

/* The state is on the heap: with long paths it is several KiB. */
int vfs_walk(const char *dir, vfs_walk_fn fn, void *ctx) {
    struct walk_state *w = kmalloc(sizeof *w);
    if (!w) return -ENOMEM;
    int r = walk(w, dir, fn, ctx);
    kfree(w);
    return r;
}

static int walk(struct walk_state *w, const char *dir, vfs_walk_fn fn, void *ctx) {
    char child[VFS_PATH_MAX + 1];
    struct vfs_dirent d, peek;
    struct vfs_stat st;
    uint32_t depth = 0;
    int r = path_normalize("/", dir, w->path, sizeof w->path);
    if (!r) r = vfs_lookup(w->path, &st);
    if (r) return r;
    if (st.type != VFS_DIR) return -ENOTDIR;
    w->index[0] = 0;
    for (;;) {
        r = vfs_readdir(w->path, w->index[depth], &d);
        if (r == -ENOENT) {   /* past the end: this directory is done */
            if (depth == 0) return 0;
            cut_last(w->path);
            depth--;
            w->index[depth]++;
            continue;
        }
        if (r) return r;
        w->last[depth] = vfs_readdir(w->path, w->index[depth] + 1, &peek) != 0;
        r = path_join(w->path, d.name, child, sizeof child);
        if (r) return r;
        r = fn(child, &d, depth + 1, w->last, ctx);
        if (r) return r;
        if (d.type == VFS_DIR && depth + 1 < WALK_MAX_DEPTH) {
            strlcpy(w->path, child, sizeof w->path);
            depth++;
            w->index[depth] = 0;
        } else {
            w->index[depth]++;
        }
    }
}

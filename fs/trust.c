/* The exec rule of fs/trust.h. The list and the mode are set once at boot,
 * before any process exists, and never change. */
#include "fs/trust.h"
#include "fs/measure.h"
#include "fs/vfs.h"
#include "kernel/cmdline.h"
#include "lib/console_out.h"
#include "lib/sha256.h"
#include "lib/string.h"
#include "lib/trustlist.h"
#include "mm/kheap.h"
#include "secos/errno.h"

static struct trustlist *list;   /* 0: no list (only initrd and built-in programs run in enforce) */
static int audit;

static void bad_line(unsigned line, const char *why, void *ctx) {
    (void)ctx;
    if (line) kprintf("[TRUST] %s line %u: %s (line ignored)\n", TRUST_LIST_PATH, line, why);
    else kprintf("[TRUST] %s: %s (list ignored)\n", TRUST_LIST_PATH, why);
}

static void load_list(void) {
    struct vfs_stat st;
    if (vfs_lookup(TRUST_LIST_PATH, &st) != 0) return;
    if (st.type != VFS_FILE || !st.immutable) {
        /* Only the pinned initrd's copy counts: a file made at run time is anyone's. */
        kprintf("[TRUST] %s is not the initrd's own file: ignored\n", TRUST_LIST_PATH);
        return;
    }
    if (st.size > TRUSTLIST_MAX_BYTES) {
        bad_line(0, "larger than 64 KiB", 0);
        return;
    }
    char *text = kmalloc(st.size ? st.size : 1);
    struct trustlist *t = kmalloc(sizeof *t);
    long n = text && t ? vfs_read_all(TRUST_LIST_PATH, text, st.size) : -ENOMEM;
    if (n >= 0 && trustlist_parse(text, (size_t)n, t, bad_line, 0) >= 0) {
        list = t;
        t = 0;
    } else if (n < 0) {
        kprintf("[TRUST] %s: cannot read it (%ld)\n", TRUST_LIST_PATH, n);
    }
    kfree(t);
    kfree(text);
}

void trust_init(const char *cmdline) {
    const char *v;
    size_t len;
    if (cmdline_find(cmdline, "trust", &v, &len)) {
        if (len == 5 && memcmp(v, "audit", 5) == 0) audit = 1;
        else if (!(len == 7 && memcmp(v, "enforce", 7) == 0))
            kprintf("[TRUST] unknown trust= value: enforcing\n");
    }
    load_list();
    kprintf("[TRUST] mode %s, %u trusted program hashes\n", trust_mode(), trust_list_size());
}

const char *trust_mode(void) { return audit ? "audit" : "enforce"; }
unsigned trust_list_size(void) { return list ? (unsigned)list->n : 0; }

int trust_check_exec(const char *path, const void *img, uint64_t size) {
    struct sha256 h;
    uint8_t d[SHA256_DIGEST];
    char hex[65];
    sha256_init(&h);
    sha256_update(&h, img, size);
    sha256_final(&h, d);
    measure_add("exec", path, d);
    if (list && trustlist_contains(list, d)) return 0;
    sha256_hex(d, hex);
    if (audit) {
        kprintf("[TRUST] audit: would refuse %pE sha256=%s\n", path, hex);
        return 0;
    }
    kprintf("[TRUST] refused %pE sha256=%s\n", path, hex);
    return -EACCES;
}

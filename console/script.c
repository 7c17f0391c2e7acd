/* Shell scripts: /init.rc at boot and `source <path>`. One command per line
 * (a trailing CR is dropped); a failing line is reported and the script
 * goes on, so one bad line cannot stop the boot. */
#include "fs/fs.h"
#include "console/shell_fs.h"
#include "lib/console_out.h"
#include "console/shell.h"
#include "console/boot_script.h"
#include "lib/lineedit.h"
#include "lib/string.h"
#include "mm/kheap.h"

/* A script may source another, but not without end (a script sourcing
 * itself would otherwise exhaust the kernel stack). */
#define SCRIPT_MAX_DEPTH 4

static int depth;

static void report_failure(const char *label, uint32_t n, const char *line, uint64_t len, const char *why) {
    kprintf("[%s] line %u failed: ", label, n);
    fs_print_safe(line, len, 0);
    kprintf("%s\n", why);
}

/* Runs one line; 0 if it succeeded. The copy gives shell_run_line the
 * NUL-terminated string it needs; a line that does not fit (or holds a NUL)
 * is refused rather than cut. */
static int run_line(const char *label, uint32_t n, const char *line, uint64_t len) {
    char buf[LINE_MAX_LEN + 1];
    const char *why = 0;
    if (len > LINE_MAX_LEN) why = " (line too long)";
    else if (strnlen(line, len) < len) why = " (NUL byte)";
    if (why) {
        report_failure(label, n, line, len > 60 ? 60 : len, why);
        return -1;
    }
    memcpy(buf, line, len);
    buf[len] = '\0';
    if ((why = boot_script_check(buf)) != 0) {
        report_failure(label, n, line, len > 60 ? 60 : len, why);
        return -1;
    }
    if (shell_run_line(buf) == 0) return 0;
    report_failure(label, n, line, len, "");
    return -1;
}

int fs_run_script(const char *path, const char *label) {
    struct vfs_stat st;
    if (depth >= SCRIPT_MAX_DEPTH) {
        kprintf("[%s] cannot run %s: scripts nested too deep (max %d)\n", label, path, SCRIPT_MAX_DEPTH);
        return -EBUSY;
    }
    int r = vfs_lookup(path, &st);
    if (r == 0 && st.type != VFS_FILE) r = -EISDIR;
    if (r) {
        kprintf("[%s] cannot run %s: %s\n", label, path, vfs_strerror(r));
        return r;
    }
    char *text = kmalloc(st.size ? st.size : 1);
    if (!text) {
        kprintf("[%s] cannot run %s: %s\n", label, path, vfs_strerror(-ENOMEM));
        return -ENOMEM;
    }
    /* A private copy: the script may rewrite or delete its own file. */
    long size = vfs_read_all(path, text, st.size);
    if (size < 0) {
        kprintf("[%s] cannot run %s: %s\n", label, path, vfs_strerror((int)size));
        kfree(text);
        return (int)size;
    }
    uint32_t lines = 0, failed = 0;
    depth++;
    for (long start = 0; start < size;) {
        long end = start;
        while (end < size && text[end] != '\n') end++;
        long len = end - start;
        if (len > 0 && text[start + len - 1] == '\r') len--;
        lines++;
        if (run_line(label, lines, text + start, (uint64_t)len)) failed++;
        if (boot_script_stopped()) break;
        start = end + 1;
    }
    depth--;
    kfree(text);
    kprintf("[%s] done: %u lines, %u failed\n", label, lines, failed);
    return (int)failed;
}

static int cmd_source(int argc, char **argv) {
    char path[VFS_PATH_MAX + 1];
    if (argc != 2) return fs_usage("source");
    if (fs_shell_path("source", argv[1], path)) return -1;
    return fs_run_script(path, path) == 0 ? 0 : -1;
}
SHELL_COMMAND(source, "source", "source <path>", "run a script: one command per line (write one with rfappendline); reports failing lines", cmd_source);

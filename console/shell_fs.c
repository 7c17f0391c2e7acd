/* The shell's working directory and helpers for the filesystem commands. */
#include "console/shell_fs.h"
#include "fs/fs.h"
#include "fs/path.h"
#include "lib/console_out.h"
#include "console/shell.h"
#include "lib/string.h"
#include "kernel/proc.h"

static char cwd[VFS_PATH_MAX + 1] = "/";

const char *fs_shell_cwd(void) { return cwd; }

/* The shell task's own working directory follows, so that a program run
 * from the console starts where the console is (fs/fd.c files_setup). */
void fs_shell_set_cwd(const char *abs) {
    strlcpy(cwd, abs, sizeof cwd);
    if (current) strlcpy(current->cwd, abs, sizeof current->cwd);
}

int fs_fail(const char *cmd, const char *path, int err) {
    kprintf("%s: %pE: %s\n", cmd, path, vfs_strerror(err));
    return -1;
}

int fs_usage(const char *name) {
    const struct shell_command *c = shell_find(name);
    kprintf("usage: %s\n", c ? c->usage : name);
    return -1;
}

int fs_shell_path(const char *cmd, const char *arg, char out[VFS_PATH_MAX + 1]) {
    int r = path_normalize(cwd, arg, out, VFS_PATH_MAX + 1);
    if (r) fs_fail(cmd, arg, r);
    return r;
}

void fs_print_safe(const void *buf, uint64_t n, int quoted) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = buf;
    uint64_t run = 0;   /* printable bytes not written yet, written in one go */
    for (uint64_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        int plain = (c >= 0x20 && c < 0x7f && !(quoted && (c == '"' || c == '\\'))) ||
                    (!quoted && (c == '\n' || c == '\t'));
        if (plain) {
            run++;
            continue;
        }
        console_write((const char *)p + i - run, run);
        run = 0;
        char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
        if (c == '\n') console_write("\\n", 2);
        else if (c == '\t') console_write("\\t", 2);
        else if (c == '"' || c == '\\') { esc[1] = (char)c; console_write(esc, 2); }
        else console_write(esc, 4);
    }
    console_write((const char *)p + n - run, run);
}

long fs_join_words(int argc, char **argv, int first, char *out, size_t size) {
    size_t len = 0;
    if (size == 0) return -1;
    out[0] = '\0';
    for (int i = first; i < argc; i++) {
        size_t n = strlen(argv[i]), sep = i > first;
        if (len + sep + n + 1 > size) return -1;
        if (sep) out[len++] = ' ';
        memcpy(out + len, argv[i], n);
        len += n;
        out[len] = '\0';
    }
    return (long)len;
}

int fs_cat(const char *cmd, const char *path) {
    char buf[256];
    uint64_t off = 0;
    char last = '\n';
    for (;;) {
        long n = vfs_read(path, off, buf, sizeof buf);
        if (n < 0) return fs_fail(cmd, path, (int)n);
        if (n == 0) break;
        fs_print_safe(buf, (uint64_t)n, 0);
        last = buf[n - 1];
        off += (uint64_t)n;
    }
    if (off == 0 || last != '\n') kprintf("\n");
    return 0;
}

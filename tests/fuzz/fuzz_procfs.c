/* Fuzzes procfs_parse() (fs/procfs_text.c): any bytes as a path inside
 * /proc. An accepted name must be one /proc has, with a pid in range, and
 * must be the one canonical spelling (re-formatting it parses the same). */
#include "tests/fuzz/fuzz.h"
#include "fs/procfs_text.h"
#include "lib/printf.h"
#include "secos/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_strndup(data, size);
    int pid = -7;
    enum procfs_kind kind = 0;
    int r = procfs_parse(path, 42, &pid, &kind);
    if (r != 0) {
        CHECK(r == -ENOENT && pid == -7 && kind == 0);
        goto done;
    }
    CHECK(kind >= PROCFS_ROOT && kind < PROCFS_KIND_MAX);
    CHECK(path[0] == '/');
    if (kind == PROCFS_ROOT || kind == PROCFS_UPTIME || kind == PROCFS_MEMINFO || kind == PROCFS_DMESG ||
        kind == PROCFS_MOUNTS || kind == PROCFS_NET || kind == PROCFS_NETDEV) {
        CHECK(pid == -1);
    } else {
        CHECK(pid > 0 && pid <= 999999999);
        if (strncmp(path, "/self", 5) != 0) {
            char again[64];
            ksnprintf(again, sizeof again, "/%d", pid);
            CHECK(strncmp(path, again, strlen(again)) == 0);   /* no second spelling of a pid */
        }
    }
done:
    free(path);
    return 0;
}

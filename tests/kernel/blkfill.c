/* Test configuration only: blkfill and blksync, so QEMU tests can write a
 * block device from the console and check the host image afterwards. */
#include "console/shell.h"
#include "block/blockdev.h"
#include "mm/kheap.h"
#include "lib/console_out.h"
#include "lib/strerror.h"
#include "lib/string.h"

static int cmd_blkfill(int argc, char **argv) {
    unsigned long long off, len, byte;
    if (argc != 5 || parse_u64(argv[2], &off) != 0 || parse_u64(argv[3], &len) != 0 ||
        parse_u64(argv[4], &byte) != 0 || byte > 255) {
        kprintf("usage: blkfill <dev> <offset> <length> <byte>\n");
        return 1;
    }
    struct blockdev *d = blockdev_find(argv[1]);
    if (!d) { kprintf("blkfill: no block device '%s'\n", argv[1]); return 1; }
    enum { CHUNK = 64 * 1024 };
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf) { kprintf("blkfill: out of memory\n"); return 1; }
    memset(buf, (int)byte, CHUNK);
    long r = 0;
    /* One call for a short range, so a refusal (past the end, read-only)
     * is the block layer's answer for the whole range. */
    for (unsigned long long done = 0; done < len || len == 0; ) {
        uint64_t n = len - done < CHUNK ? len - done : CHUNK;
        r = blk_write(d, off + done, buf, n);
        if (r < 0 || len == 0) break;
        done += n;
    }
    kfree(buf);
    if (r < 0) { kprintf("blkfill: %s: %s\n", d->name, secos_strerror((int)r)); return 1; }
    kprintf("blkfill: %llu bytes at %llu on %s\n", len, off, d->name);
    return 0;
}
SHELL_COMMAND(blkfill, "blkfill", "blkfill <dev> <offset> <length> <byte>",
              "(test) write length copies of byte at offset of a block device", cmd_blkfill);

static int cmd_blksync(int argc, char **argv) {
    if (argc > 2) { kprintf("usage: blksync [dev]\n"); return 1; }
    struct blockdev *d = 0;
    if (argc == 2 && !(d = blockdev_find(argv[1]))) { kprintf("blksync: no block device '%s'\n", argv[1]); return 1; }
    int r = blk_sync(d);
    if (r < 0) { kprintf("blksync: %s\n", secos_strerror(r)); return 1; }
    kprintf("blksync: ok\n");
    return 0;
}
SHELL_COMMAND(blksync, "blksync", "blksync [dev]", "(test) write back cached blocks and flush (blk_sync)", cmd_blksync);

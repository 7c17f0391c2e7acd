/* Partition discovery: the pure parsers read through the block layer (one
 * heap sector buffer), then every partition becomes a heap blockdev that is
 * never freed (blockdev.h: registered devices live forever). */
#include "block/partition_scan.h"
#include "block/part.h"
#include "mm/kheap.h"
#include "lib/console_out.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "secos/errno.h"

struct scan_ctx { struct blockdev *disk; uint8_t *buf; };

static const uint8_t *read_sector(void *arg, uint64_t lba) {
    struct scan_ctx *c = arg;
    if (lba >= c->disk->sectors) return 0;
    long r = blk_read(c->disk, lba * c->disk->sector_size, c->buf, c->disk->sector_size);
    return r == (long)c->disk->sector_size ? c->buf : 0;
}

static void describe(const struct part_table *t, const struct part_entry *e, char *out, size_t n) {
    if (t->gpt) {
        const char *type = part_gpt_type_name(e->type_guid);
        if (e->name[0]) ksnprintf(out, n, "GPT %s \"%s\"", type ? type : "(unknown type)", e->name);
        else ksnprintf(out, n, "GPT %s", type ? type : "(unknown type)");
    } else {
        const char *type = part_mbr_type_name(e->mbr_type);
        ksnprintf(out, n, "MBR 0x%02x %s", e->mbr_type, type ? type : "");
    }
}

int partition_scan(struct blockdev *disk) {
    if (!disk || disk->parent) return -EINVAL;
    struct scan_ctx c = { disk, kmalloc(disk->sector_size) };
    struct part_table *t = kmalloc(sizeof *t);
    if (!c.buf || !t) { kfree(c.buf); kfree(t); return -ENOMEM; }
    int r = part_parse(read_sector, &c, disk->sectors, disk->sector_size, t);
    kfree(c.buf);
    if (r == PART_REFUSED) {
        kprintf("[PART] %s: partition table refused: %s\n", disk->name, t->why);
        kfree(t);
        return -EINVAL;
    }
    if (r == PART_NONE) { kfree(t); return 0; }
    if (t->used_backup) kprintf("[PART] %s: primary GPT bad (%s): using the backup\n", disk->name, t->why);
    if (t->dropped) kprintf("[PART] %s: %u partitions past the first %d ignored\n", disk->name, t->dropped, PART_MAX);
    size_t len = strlen(disk->name);
    int sep = len && disk->name[len - 1] >= '0' && disk->name[len - 1] <= '9';
    int added = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        const struct part_entry *e = &t->e[i];
        struct blockdev *p = kmalloc(sizeof *p);
        if (!p) { kfree(t); return added ? added : -ENOMEM; }
        memset(p, 0, sizeof *p);
        ksnprintf(p->name, sizeof p->name, "%s%s%u", disk->name, sep ? "p" : "", e->number);
        p->sector_size = disk->sector_size;
        p->sectors = e->sectors;
        p->readonly = disk->readonly;
        p->parent = disk;
        p->start = e->start;
        p->driver = "partition";
        describe(t, e, p->part_desc, sizeof p->part_desc);
        int rr = blockdev_register(p);
        if (rr != 0) {
            kprintf("[PART] %s: cannot register %s: error %d\n", disk->name, p->name, rr);
            kfree(p);
            continue;
        }
        added++;
    }
    kprintf("[PART] %s: %s, %d partition%s\n", disk->name, t->gpt ? "GPT" : "MBR", added, added == 1 ? "" : "s");
    kfree(t);
    return added;
}

/* RAM disks over boot modules (see ramdisk.h). */
#include "block/ramdisk.h"
#include "block/blockdev.h"
#include "boot/boot_info.h"
#include "lib/console_out.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/physmap.h"
#include "secos/errno.h"

#define RAMDISK_MAX 4

struct ramdisk {
    struct blockdev dev;
    uint8_t *base;
};

static struct ramdisk disks[RAMDISK_MAX];
static uint32_t ndisks;

/* The block layer has checked lba + count <= sectors. */
static int rd_read(struct blockdev *d, uint64_t lba, uint32_t count, void *buf) {
    struct ramdisk *r = d->priv;
    memcpy(buf, r->base + lba * d->sector_size, (uint64_t)count * d->sector_size);
    return 0;
}

static int rd_write(struct blockdev *d, uint64_t lba, uint32_t count, const void *buf) {
    struct ramdisk *r = d->priv;
    memcpy(r->base + lba * d->sector_size, buf, (uint64_t)count * d->sector_size);
    return 0;
}

static int rd_flush(struct blockdev *d) {
    (void)d;
    return 0;
}

static const struct blockdev_ops rd_ops = { rd_read, rd_write, rd_flush };

int ramdisk_is_module(const struct boot_module *m) {
    const char *name = m->name;
    size_t n = 0;
    while (name[n] && name[n] != ' ') n++;
    if (n >= 4 && memcmp(name + n - 4, ".img", 4) == 0) return 1;
    return n == 4 && memcmp(name, "disk", 4) == 0;
}

void ramdisk_init(void) {
    for (uint32_t i = 0; i < boot_info.module_count && ndisks < RAMDISK_MAX; i++) {
        const struct boot_module *m = &boot_info.modules[i];
        if (!ramdisk_is_module(m)) continue;
        uint64_t sectors = (m->end - m->start) / 512;
        struct ramdisk *r = &disks[ndisks];
        if (sectors == 0) {
            kprintf("[ramdisk] boot module %u is smaller than a sector: ignored\n", i);
            continue;
        }
        ksnprintf(r->dev.name, sizeof r->dev.name, "ram%u", ndisks);
        r->dev.sector_size = 512;
        r->dev.sectors = sectors;
        r->dev.ops = &rd_ops;
        r->dev.priv = r;
        r->dev.driver = "ramdisk";
        r->base = phys_to_virt(m->start);
        int e = blockdev_register(&r->dev);
        if (e) {
            kprintf("[ramdisk] %s: cannot register (%d)\n", r->dev.name, e);
            continue;
        }
        ndisks++;
        kprintf("[ramdisk] %s: boot module %u, %lu KiB (lost at power-off)\n", r->dev.name, i, sectors / 2);
    }
}

/* ATA over the legacy IDE controller (the pc machine's PIIX), in PIO mode
 * with interrupt-driven completion. Two channels at the ISA addresses
 * (0x1F0/0x3F6 IRQ 14, 0x170/0x376 IRQ 15), a master and a slave on each,
 * the PCI function (class 01:01) in compatibility mode when there is one.
 *
 * Names follow the position, as Linux's old IDE layer did: hda primary
 * master, hdb primary slave, hdc secondary master, hdd secondary slave, for
 * disks and ATAPI drives alike (the pc machine's CD is hdc). A name thus
 * says where the drive sits and never changes when another one is added,
 * and it cannot collide with AHCI's sdX/sr0 on a machine that has both.
 *
 * Invariants: one command at a time per channel (the two drives share its
 * registers): `busy` is the channel's lock, taken for the whole command.
 * Every wait is bounded (IDE_CMD_MS): a device that does not answer gives
 * -EIO, never a hang, and a channel reset before the next command if it is
 * still busy then. PIO moves data only when the CPU reads or writes the
 * data port, so a late device cannot write memory. ATAPI drives are
 * read-only. */
#include "drivers/ide.h"
#include "drivers/ata_id.h"
#include "drivers/pci.h"
#include "block/blockdev.h"
#include "block/partition_scan.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/pic.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "lib/console_out.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "secos/errno.h"

/* Task-file registers (offsets from the command block) and the control block. */
#define REG_DATA     0
#define REG_ERROR    1
#define REG_FEATURES 1
#define REG_COUNT    2
#define REG_LBA0     3
#define REG_LBA1     4
#define REG_LBA2     5
#define REG_DEVICE   6
#define REG_STATUS   7
#define REG_COMMAND  7
#define CTL_NIEN     0x02    /* device control: no interrupts */
#define CTL_SRST     0x04    /* device control: software reset */
#define DEV_LBA      0x40

#define IDE_CMD_MS     5000  /* one command (or one DRQ block) must finish within this */
#define IDE_RESET_MS   2000
#define ATAPI_CHUNK    16    /* 2048-byte blocks per PACKET READ(10): 32 KiB, inside one byte count */
#define IDE_MAX_BLOCK  16    /* sectors per READ/WRITE MULTIPLE data block (QEMU's and most drives' limit) */

struct ide_channel {
    uint16_t base, ctrl;
    uint8_t irq;
    volatile uint32_t irqs;  /* interrupts seen: a waiter compares against its snapshot */
    int busy;                /* the channel's lock; waiters sleep on &busy */
    int present;             /* something answered at reset */
};

struct ide_drive {
    struct ide_channel *ch;
    int slave;
    struct ata_identity id;
    uint32_t block;          /* sectors per PIO data block: 1, or the READ/WRITE MULTIPLE size set */
    struct blockdev bd;
};

static struct ide_channel channels[2] = {
    { .base = 0x1F0, .ctrl = 0x3F6, .irq = 14 },
    { .base = 0x170, .ctrl = 0x376, .irq = 15 },
};
static struct ide_drive drives[4];
static int ndrives;
struct ide_stats ide_stats;

static uint8_t alt_status(struct ide_channel *c) { return inb(c->ctrl); }

/* The 400 ns a device may take to show a new status after a command or a
 * drive select: four reads of the alternate status. */
static void settle(struct ide_channel *c) { for (int i = 0; i < 4; i++) (void)alt_status(c); }

static uint64_t deadline_ms(uint32_t ms) { return timer_ticks() + (uint64_t)ms * TIMER_HZ / 1000 + 1; }

/* Polls until BSY is clear: 0 with *st the status, or -EIO after ms. */
static int wait_not_busy(struct ide_channel *c, uint32_t ms, uint8_t *st) {
    uint64_t end = deadline_ms(ms);
    for (;;) {
        uint8_t s = alt_status(c);
        if (!(s & ATA_SR_BSY)) { *st = s; return 0; }
        if (timer_ticks() >= end) return -EIO;
        __asm__ volatile("pause");
    }
}

static void irq_handler(struct ide_channel *c) {
    (void)inb(c->base + REG_STATUS);   /* reading the status acknowledges INTRQ */
    c->irqs++;
    wakeup(c);
}
static void irq14(struct trapframe *tf) { (void)tf; irq_handler(&channels[0]); }
static void irq15(struct trapframe *tf) { (void)tf; irq_handler(&channels[1]); }

/* Sleeps until the channel's interrupt count passes *seen (then updates it)
 * and BSY is clear: 0 with *st the status, or -EIO on timeout. */
static int wait_irq(struct ide_channel *c, uint32_t *seen, uint8_t *st) {
    uint64_t end = deadline_ms(IDE_CMD_MS);
    uint64_t f = irq_save();
    while (c->irqs == *seen && timer_ticks() < end) sleep_on_device(c, end);
    int got = c->irqs != *seen;
    *seen = c->irqs;
    irq_restore(f);
    if (!got) { ide_stats.timeouts++; return -EIO; }
    return wait_not_busy(c, IDE_CMD_MS, st);
}

static void lock(struct ide_channel *c) {
    uint64_t f = irq_save();
    while (c->busy) sleep_on_device(&c->busy, UINT64_MAX);
    c->busy = 1;
    irq_restore(f);
}
static void unlock(struct ide_channel *c) {
    c->busy = 0;
    wakeup(&c->busy);
}

/* Software reset of both drives on the channel: what brings a device that
 * timed out or left DRQ set back to a known state. Interrupts stay as set. */
static int channel_reset(struct ide_channel *c, int nien) {
    uint8_t st;
    outb(c->ctrl, CTL_SRST | CTL_NIEN);
    timer_sleep_ms(1);
    outb(c->ctrl, nien ? CTL_NIEN : 0);
    timer_sleep_ms(2);
    return wait_not_busy(c, IDE_RESET_MS, &st);
}

static int fail(struct ide_channel *c, const char *what, uint8_t st) {
    uint8_t err = inb(c->base + REG_ERROR);
    ide_stats.errors++;
    kprintf("[IDE] %s failed: status %#x error %#x\n", what, st, err);
    return -EIO;
}

/* Selects the drive and waits for it to be ready for a command. A drive
 * still busy with a command that timed out (or offering data nobody asked
 * for) gets a channel reset here, not at the timeout: the reset makes the
 * device drop what it was doing, and it is only needed when the channel is
 * used again. */
static int select_drive(struct ide_drive *d, uint8_t dev_bits) {
    struct ide_channel *c = d->ch;
    uint8_t st;
    for (int tries = 0; tries < 2; tries++) {
        outb(c->base + REG_DEVICE, (uint8_t)(0xA0 | (d->slave << 4) | dev_bits));
        settle(c);
        if (wait_not_busy(c, IDE_RESET_MS, &st) == 0 && !(st & ATA_SR_DRQ)) return 0;
        if (tries == 0) {
            kprintf("[IDE] %s: the drive is still busy: resetting the channel\n", d->bd.name);
            channel_reset(c, 0);
        }
    }
    return -EIO;
}

/* Programs the task file for count sectors at lba and issues cmd. */
static void issue_rw(struct ide_drive *d, uint64_t lba, uint32_t count, uint8_t cmd, int lba48) {
    uint16_t b = d->ch->base;
    if (lba48) {
        outb(b + REG_COUNT, (uint8_t)(count >> 8));
        outb(b + REG_LBA0, (uint8_t)(lba >> 24));
        outb(b + REG_LBA1, (uint8_t)(lba >> 32));
        outb(b + REG_LBA2, (uint8_t)(lba >> 40));
    }
    outb(b + REG_COUNT, (uint8_t)count);
    outb(b + REG_LBA0, (uint8_t)lba);
    outb(b + REG_LBA1, (uint8_t)(lba >> 8));
    outb(b + REG_LBA2, (uint8_t)(lba >> 16));
    outb(b + REG_COMMAND, cmd);
}

/* The command for a PIO transfer: READ/WRITE MULTIPLE when the drive took
 * a block size (one interrupt per block instead of per sector), SECTORS
 * otherwise; the EXT forms for LBA48. */
static uint8_t rw_command(const struct ide_drive *d, int write, int lba48) {
    static const uint8_t cmds[2][2][2] = {   /* [multiple][write][lba48] */
        { { ATA_CMD_READ_SECTORS, ATA_CMD_READ_SECTORS_EXT }, { ATA_CMD_WRITE_SECTORS, ATA_CMD_WRITE_SECTORS_EXT } },
        { { ATA_CMD_READ_MULTIPLE, ATA_CMD_READ_MULTIPLE_EXT },
          { ATA_CMD_WRITE_MULTIPLE, ATA_CMD_WRITE_MULTIPLE_EXT } },
    };
    return cmds[d->block > 1][write][lba48];
}

/* One PIO read or write of count sectors (<= 256), with the channel locked:
 * data blocks of d->block sectors (the last one may be shorter). */
static int pio_rw(struct ide_drive *d, uint64_t lba, uint32_t count, uint8_t *buf, int write) {
    struct ide_channel *c = d->ch;
    uint32_t ss = d->bd.sector_size, seen;
    int lba48 = lba + count > ATA_LBA28_MAX || count > 256;
    uint8_t st;
    if (lba48 && !d->id.lba48) return -EIO;
    if (select_drive(d, (uint8_t)(DEV_LBA | (lba48 ? 0 : (lba >> 24) & 0x0F))) < 0) goto timeout;
    seen = c->irqs;
    issue_rw(d, lba, count & (lba48 ? 0xFFFF : 0xFF), rw_command(d, write, lba48), lba48);
    settle(c);
    for (uint32_t i = 0; i < count;) {
        /* A read's every block and a write's completions come with an
         * interrupt; a write's first block is asked for without one. */
        int r = (write && i == 0) ? wait_not_busy(c, IDE_CMD_MS, &st) : wait_irq(c, &seen, &st);
        if (r < 0) goto timeout;
        if (st & (ATA_SR_ERR | ATA_SR_DF)) return fail(c, write ? "write" : "read", st);
        if (!(st & ATA_SR_DRQ)) return fail(c, write ? "write (no data request)" : "read (no data)", st);
        uint32_t n = count - i < d->block ? count - i : d->block;
        if (write) outsw(c->base + REG_DATA, buf + (uint64_t)i * ss, n * ss / 2);
        else insw(c->base + REG_DATA, buf + (uint64_t)i * ss, n * ss / 2);
        i += n;
    }
    if (write) {
        if (wait_irq(c, &seen, &st) < 0) goto timeout;
        if (st & (ATA_SR_ERR | ATA_SR_DF)) return fail(c, "write", st);
    }
    return 0;
timeout:
    kprintf("[IDE] %s: %s timed out\n", d->bd.name, write ? "write" : "read");
    return -EIO;
}

/* SET MULTIPLE MODE to the drive's largest block, at most IDE_MAX_BLOCK
 * sectors: d->block, 1 when the drive has none or refuses. */
static void set_multiple(struct ide_drive *d) {
    struct ide_channel *c = d->ch;
    uint32_t want = d->id.multiple < IDE_MAX_BLOCK ? d->id.multiple : IDE_MAX_BLOCK;
    uint8_t st;
    d->block = 1;
    if (want < 2 || select_drive(d, DEV_LBA) < 0) return;
    uint32_t seen = c->irqs;
    outb(c->base + REG_COUNT, (uint8_t)want);
    outb(c->base + REG_COMMAND, ATA_CMD_SET_MULTIPLE);
    settle(c);
    if (wait_irq(c, &seen, &st) == 0 && !(st & (ATA_SR_ERR | ATA_SR_DF))) d->block = want;
}

/* A PACKET command reading up to len bytes into buf (PIO, byte count from
 * the device per DRQ block, each checked against what is left): the bytes
 * read, or -EIO. */
static long atapi_packet(struct ide_drive *d, const uint8_t pkt[12], uint8_t *buf, uint32_t len) {
    struct ide_channel *c = d->ch;
    uint16_t b = c->base;
    uint32_t seen, got = 0, limit = len < 0xF800 ? len : 0xF800;
    uint8_t st;
    if (select_drive(d, 0) < 0) goto timeout;
    outb(b + REG_FEATURES, 0);                    /* PIO, no overlap */
    outb(b + REG_LBA1, (uint8_t)limit);
    outb(b + REG_LBA2, (uint8_t)(limit >> 8));
    seen = c->irqs;
    outb(b + REG_COMMAND, ATA_CMD_PACKET);
    settle(c);
    if (wait_not_busy(c, IDE_CMD_MS, &st) < 0) goto timeout;
    if (st & ATA_SR_ERR) return -EIO;             /* CHECK CONDITION before the packet */
    if (!(st & ATA_SR_DRQ)) return fail(c, "packet (no request for the command)", st);
    outsw(b + REG_DATA, pkt, 6);
    for (;;) {
        if (wait_irq(c, &seen, &st) < 0) goto timeout;
        if (st & ATA_SR_ERR) return -EIO;         /* CHECK CONDITION: no medium, unit attention, bad LBA */
        if (!(st & ATA_SR_DRQ)) break;            /* command complete */
        uint32_t n = inb(b + REG_LBA1) | (uint32_t)inb(b + REG_LBA2) << 8;
        if (n == 0 || (n & 1) || n > len - got) {
            /* More (or less) than was asked for: never past buf. */
            kprintf("[IDE] %s: ATAPI offered %u bytes with %u left\n", d->bd.name, n, len - got);
            goto timeout;
        }
        insw(b + REG_DATA, buf + got, n / 2);
        got += n;
    }
    return got;
timeout:
    kprintf("[IDE] %s: packet command timed out or misbehaved\n", d->bd.name);
    return -EIO;
}

static int atapi_read_capacity(struct ide_drive *d) {
    uint8_t pkt[12] = { SCSI_READ_CAPACITY_10 }, cap[8];
    /* The first commands after power-on or a medium change fail with UNIT
     * ATTENTION; a few tries get past it. */
    for (int tries = 0; tries < 4; tries++) {
        memset(cap, 0, sizeof cap);
        long r = atapi_packet(d, pkt, cap, sizeof cap);
        uint64_t blocks;
        uint32_t bs;
        if (r == 8 && atapi_parse_capacity(cap, &blocks, &bs) == 0) {
            d->bd.sectors = blocks;
            d->bd.sector_size = bs;
            return 0;
        }
    }
    return -EIO;
}

/* The block layer checks ranges; the driver checks again, so that no path
 * can put an address past the end on the wire. */
static int in_range(const struct blockdev *bd, uint64_t lba, uint32_t count) {
    return count >= 1 && lba <= bd->sectors && count <= bd->sectors - lba;
}

static int ide_read(struct blockdev *bd, uint64_t lba, uint32_t count, void *buf) {
    struct ide_drive *d = bd->priv;
    int r = 0;
    if (!in_range(bd, lba, count)) return -EINVAL;
    lock(d->ch);
    for (uint32_t done = 0; done < count && r == 0;) {
        uint32_t n = count - done;
        if (d->id.atapi) {
            uint8_t pkt[12];
            if (n > ATAPI_CHUNK) n = ATAPI_CHUNK;
            if (atapi_read10_packet(pkt, lba + done, n) < 0) { r = -EIO; break; }
            long got = atapi_packet(d, pkt, (uint8_t *)buf + (uint64_t)done * bd->sector_size, n * bd->sector_size);
            r = got == (long)n * bd->sector_size ? 0 : -EIO;
        } else {
            if (n > 256) n = 256;
            r = pio_rw(d, lba + done, n, (uint8_t *)buf + (uint64_t)done * bd->sector_size, 0);
        }
        done += n;
    }
    unlock(d->ch);
    if (r == 0) ide_stats.reads++;
    return r;
}

static int ide_write(struct blockdev *bd, uint64_t lba, uint32_t count, const void *buf) {
    struct ide_drive *d = bd->priv;
    int r = 0;
    if (d->id.atapi) return -EROFS;
    if (!in_range(bd, lba, count)) return -EINVAL;
    lock(d->ch);
    for (uint32_t done = 0; done < count && r == 0;) {
        uint32_t n = count - done > 256 ? 256 : count - done;
        r = pio_rw(d, lba + done, n, (uint8_t *)buf + (uint64_t)done * bd->sector_size, 1);
        done += n;
    }
    unlock(d->ch);
    if (r == 0) ide_stats.writes++;
    return r;
}

static int ide_flush(struct blockdev *bd) {
    struct ide_drive *d = bd->priv;
    struct ide_channel *c = d->ch;
    uint8_t st;
    int r = 0;
    if (d->id.atapi) return 0;
    lock(c);
    if (select_drive(d, DEV_LBA) < 0) {
        r = -EIO;
    } else {
        uint32_t seen = c->irqs;
        outb(c->base + REG_COMMAND, d->id.flush_ext ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE);
        settle(c);
        if (wait_irq(c, &seen, &st) < 0) {
            kprintf("[IDE] %s: flush timed out\n", bd->name);
            r = -EIO;
        } else if (st & (ATA_SR_ERR | ATA_SR_DF)) {
            r = fail(c, "flush", st);
        }
    }
    unlock(c);
    return r;
}

static const struct blockdev_ops ide_ops = { ide_read, ide_write, ide_flush };

/* IDENTIFY (PACKET) DEVICE, polled (the channel's interrupts are off during
 * the probe): 0 with the 256 words, 1 for "an ATAPI signature, use the
 * PACKET form", -1 for no device. */
static int identify(struct ide_channel *c, int slave, uint8_t cmd, uint16_t id[256]) {
    uint8_t st;
    outb(c->base + REG_DEVICE, (uint8_t)(0xA0 | (slave << 4)));
    settle(c);
    outb(c->base + REG_COUNT, 0);
    outb(c->base + REG_LBA0, 0);
    outb(c->base + REG_LBA1, 0);
    outb(c->base + REG_LBA2, 0);
    outb(c->base + REG_COMMAND, cmd);
    settle(c);
    if (alt_status(c) == 0) return -1;                        /* nothing there */
    if (wait_not_busy(c, IDE_RESET_MS, &st) < 0) return -1;
    uint8_t sig1 = inb(c->base + REG_LBA1), sig2 = inb(c->base + REG_LBA2);
    if (cmd == ATA_CMD_IDENTIFY && sig1 == 0x14 && sig2 == 0xEB) return 1;   /* ATAPI signature */
    if (st & (ATA_SR_ERR | ATA_SR_DF) || !(st & ATA_SR_DRQ)) return -1;
    insw(c->base + REG_DATA, id, 256);
    (void)inb(c->base + REG_STATUS);
    return 0;
}

static void probe_drive(struct ide_channel *c, int ci, int slave) {
    static uint16_t id[256];
    struct ide_drive *d = &drives[ndrives];
    const char *why = "";
    int packet = 0, r = identify(c, slave, ATA_CMD_IDENTIFY, id);
    if (r == 1) { packet = 1; r = identify(c, slave, ATA_CMD_IDENTIFY_PACKET, id); }
    if (r < 0) return;
    char name[4] = { 'h', 'd', (char)('a' + ci * 2 + slave), 0 };
    memset(d, 0, sizeof *d);
    if (ata_parse_identify(id, packet, &d->id, &why) < 0) {
        kprintf("[IDE] %s: ignored: %s\n", name, why);
        return;
    }
    d->ch = c;
    d->slave = slave;
    strlcpy(d->bd.name, name, sizeof d->bd.name);
    d->bd.sector_size = d->id.sector_size;
    d->bd.sectors = d->id.sectors;
    d->bd.readonly = d->id.atapi;
    d->bd.ops = &ide_ops;
    d->bd.priv = d;
    d->bd.driver = "ide";
    ndrives++;
}

/* Registers what probe_drive found, once the channel runs with interrupts
 * (an ATAPI drive needs a PACKET command for its capacity). */
static void register_drive(struct ide_drive *d) {
    if (!d->id.atapi) {
        lock(d->ch);
        set_multiple(d);
        unlock(d->ch);
    }
    if (d->id.atapi) {
        lock(d->ch);
        int r = atapi_read_capacity(d);
        unlock(d->ch);
        if (r < 0) {
            kprintf("[IDE] %s: ATAPI \"%s\": no medium (not registered)\n", d->bd.name, d->id.model);
            return;
        }
    }
    int r = blockdev_register(&d->bd);
    if (r < 0) {
        kprintf("[IDE] %s: cannot register (%d)\n", d->bd.name, r);
        return;
    }
    kprintf("[IDE] %s: %s \"%s\" %lu sectors of %u bytes (%lu MiB)%s%s, %u sector(s) per interrupt\n",
            d->bd.name, d->id.atapi ? "ATAPI" : "ATA", d->id.model, d->bd.sectors, d->bd.sector_size,
            (d->bd.sectors * d->bd.sector_size) >> 20, d->id.lba48 ? " LBA48" : "",
            d->bd.readonly ? " read-only" : "", d->id.atapi ? 1 : d->block);
    /* A CD's tables (a hybrid ISO's MBR) count 512-byte sectors, not its 2048-byte ones: disks only. */
    if (!d->id.atapi) partition_scan(&d->bd);
}

int ide_init(void) {
    /* The PCI function (class 01:01) says which channels sit at the ISA
     * addresses (compatibility mode) and turns on its I/O decoding. PCI
     * native mode (BARs, a shared INTx) is not supported: such a channel is
     * left alone. Without a PCI IDE function the ISA addresses are probed
     * anyway (a bus with nothing there reads 0xFF). */
    const struct pci_dev *pd = pci_find_class(0x01, 0x01, 0xff, 0);
    if (pd) pci_enable(pd, 0);
    for (int ci = 0; ci < 2; ci++) {
        struct ide_channel *c = &channels[ci];
        if (pd && (pd->prog_if & (1u << (2 * ci)))) {
            kprintf("[IDE] %02x:%02x.%x channel %d is in PCI native mode: not supported\n", pd->bus, pd->dev,
                    pd->fn, ci);
            continue;
        }
        /* A channel with no drives floats (0xFF); nothing to reset there. */
        if (alt_status(c) == 0xFF) continue;
        if (channel_reset(c, 1) < 0) continue;
        c->present = 1;
        int first = ndrives;
        probe_drive(c, ci, 0);
        probe_drive(c, ci, 1);
        if (ndrives == first) continue;
        irq_register(c->irq, ci == 0 ? irq14 : irq15);
        outb(c->ctrl, 0);                          /* interrupts on */
        pic_unmask(c->irq);
    }
    for (int i = 0; i < ndrives; i++) register_drive(&drives[i]);
    return ndrives;
}

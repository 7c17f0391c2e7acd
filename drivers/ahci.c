/* AHCI 1.3 host bus adapters (SATA; q35's ICH9): DMA commands through one
 * command slot per port, completion by the PCI INTx interrupt (or the tick
 * when the function has no routed line), ATA disks as sda.. and ATAPI
 * drives as sr0.. (read-only: PACKET READ(10), READ CAPACITY(10)).
 *
 * Memory the HBA reads or writes is kernel-owned frames, below 4 GiB unless
 * the HBA has 64-bit addressing (CAP.S64A), per port: the command list and
 * the received-FIS area in one frame, the command table (command FIS,
 * ATAPI packet, one PRD) in another, and a 64 KiB contiguous bounce buffer
 * that every transfer goes through (the caller's buffer may be any kernel
 * memory; the device never sees its address).
 *
 * Invariants: one command in flight per port (slot 0 only; `busy` is the
 * port's lock, held for the whole command, so the bounce buffer and the
 * command table are never rewritten while the device may use them). A
 * command ends by completion, a task-file or interface error or a timeout;
 * the last two stop the port (ST off, CR seen clear, errors cleared) before
 * the lock is released, and after a timeout the bounce buffer and command
 * table the device was given are retired, never reused (recover()). A port
 * whose DMA engine does not stop is taken out of service for good and its
 * frames are never freed or reused. PRD byte counts are even and at most
 * the bounce buffer. */
#include "drivers/ahci.h"
#include "drivers/ata_id.h"
#include "drivers/pci.h"
#include "block/blockdev.h"
#include "block/partition_scan.h"
#include "arch/x86_64/cpu.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "mm/physmap.h"
#include "mm/pmm.h"
#include "lib/console_out.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "secos/errno.h"

/* HBA (generic host control) registers. */
#define HBA_CAP   0x00
#define HBA_GHC   0x04
#define HBA_IS    0x08
#define HBA_PI    0x0C
#define HBA_VS    0x10
#define HBA_CAP2  0x24
#define HBA_BOHC  0x28
#define CAP_S64A  (1u << 31)
#define CAP_SSS   (1u << 27)
#define GHC_HR    (1u << 0)
#define GHC_IE    (1u << 1)
#define GHC_AE    (1u << 31)
#define CAP2_BOH  (1u << 0)
#define BOHC_BOS  (1u << 0)
#define BOHC_OOS  (1u << 1)

/* Port registers, at 0x100 + port * 0x80. */
#define PX_CLB    0x00
#define PX_CLBU   0x04
#define PX_FB     0x08
#define PX_FBU    0x0C
#define PX_IS     0x10
#define PX_IE     0x14
#define PX_CMD    0x18
#define PX_TFD    0x20
#define PX_SIG    0x24
#define PX_SSTS   0x28
#define PX_SCTL   0x2C
#define PX_SERR   0x30
#define PX_CI     0x38
#define CMD_ST    (1u << 0)
#define CMD_SUD   (1u << 1)
#define CMD_POD   (1u << 2)
#define CMD_FRE   (1u << 4)
#define CMD_FR    (1u << 14)
#define CMD_CR    (1u << 15)
/* PxIS: completion (D2H register, PIO setup, DMA setup, set device bits)
 * and the errors (task file, host bus fatal/data, interface fatal/non-fatal,
 * overflow). */
#define IS_DONE   0x0000000Fu
#define IS_ERRORS ((1u << 30) | (1u << 29) | (1u << 28) | (1u << 27) | (1u << 26) | (1u << 24))
#define SIG_ATAPI 0xEB140101u

#define AHCI_MAX_HBAS   4
#define AHCI_MAX_PORTS  32
#define AHCI_MAX_DEVS   16
#define BOUNCE_FRAMES   16                         /* 64 KiB: 128 sectors of 512, 32 of 2048 */
#define BOUNCE_BYTES    (BOUNCE_FRAMES * 4096u)
#define AHCI_CMD_MS     5000                       /* one command */
#define AHCI_POLL_MS    20                         /* a lost interrupt costs at most this */
#define AHCI_STOP_MS    500                        /* ST/FRE off until CR/FR clear (spec: 500 ms) */
#define AHCI_RESET_MS   1000
#define AHCI_MAX_RETIRED 4                         /* timeouts a port survives (68 KiB kept each) */

/* The command table: command FIS at 0, ATAPI command at 0x40, PRDT at 0x80. */
#define CT_ACMD  0x40
#define CT_PRDT  0x80

struct ahci_hba {
    volatile uint8_t *abar;
    const struct pci_dev *pci;
    uint32_t cap;
    int has_irq;
    struct ahci_port *ports[AHCI_MAX_PORTS];
};

struct ahci_port {
    struct ahci_hba *hba;
    int num;
    volatile uint8_t *regs;
    uint64_t list_pa;          /* command list (32 headers, 1 KiB) + received FIS at +1024 */
    uint64_t table_pa;         /* command table of slot 0 */
    uint64_t bounce_pa;        /* BOUNCE_FRAMES contiguous frames */
    volatile uint32_t irq_is;  /* PxIS bits the interrupt handler took; the waiter clears them */
    int busy;                  /* the port's lock; waiters sleep on &busy */
    int dead;                  /* DMA engine would not stop: no more commands, memory never reused */
    int retired;               /* command tables + bounce buffers given up after timeouts */
    uint64_t max_pa;           /* DMA memory below this (0: anywhere) */
    struct ata_identity id;
    struct blockdev bd;
};

struct ahci_cmd {
    uint8_t command, features;
    uint64_t lba;
    uint32_t count;            /* sectors in the FIS (0 for none) */
    int write, lba_mode;       /* lba_mode: 0 none, 28, 48 */
    const uint8_t *packet;     /* 12-byte ATAPI command, or 0 */
    uint32_t bytes;            /* data through the bounce buffer */
};

static struct ahci_hba hbas[AHCI_MAX_HBAS];
static struct ahci_port ports[AHCI_MAX_DEVS];
static int nports, ndisks, ncds;
struct ahci_stats ahci_stats;

static uint32_t rd(volatile uint8_t *b, uint32_t off) { return *(volatile uint32_t *)(b + off); }
static void wr(volatile uint8_t *b, uint32_t off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }
static void barrier(void) { __asm__ volatile("" ::: "memory"); }

static uint64_t deadline_ms(uint32_t ms) { return timer_ticks() + (uint64_t)ms * TIMER_HZ / 1000 + 1; }

/* Polls until (reg & mask) == want: 0, or -1 after ms. */
static int wait_reg(volatile uint8_t *b, uint32_t off, uint32_t mask, uint32_t want, uint32_t ms) {
    uint64_t end = deadline_ms(ms);
    while ((rd(b, off) & mask) != want) {
        if (timer_ticks() >= end) return -1;
        __asm__ volatile("pause");
    }
    return 0;
}

static void lock(struct ahci_port *p) {
    uint64_t f = irq_save();
    while (p->busy) sleep_on_device(&p->busy, UINT64_MAX);
    p->busy = 1;
    irq_restore(f);
}
static void unlock(struct ahci_port *p) {
    p->busy = 0;
    wakeup(&p->busy);
}

/* The HBA's INTx (shared): IS says which ports interrupted; each port's
 * PxIS is cleared before IS (the spec's order: IS bits are level-sensitive
 * on PxIS). Nothing set means another device on the line. */
static void ahci_irq(void *arg) {
    struct ahci_hba *h = arg;
    uint32_t is = rd(h->abar, HBA_IS);
    if (!is) return;
    for (int n = 0; n < AHCI_MAX_PORTS; n++) {
        if (!(is & (1u << n))) continue;
        volatile uint8_t *pr = h->abar + 0x100 + 0x80 * n;
        uint32_t pis = rd(pr, PX_IS);
        wr(pr, PX_IS, pis);
        struct ahci_port *p = h->ports[n];
        if (p) {
            p->irq_is |= pis;
            wakeup(p);
        }
    }
    wr(h->abar, HBA_IS, is);
}

/* ST off and the command list engine seen idle (CR clear). */
static int stop_engine(struct ahci_port *p) {
    wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) & ~CMD_ST);
    return wait_reg(p->regs, PX_CMD, CMD_CR, 0, AHCI_STOP_MS);
}

static int stop_port(struct ahci_port *p) {
    if (stop_engine(p) < 0) return -1;
    wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) & ~CMD_FRE);
    return wait_reg(p->regs, PX_CMD, CMD_FR, 0, AHCI_STOP_MS);
}

static void comreset(struct ahci_port *p) {
    uint32_t sctl = rd(p->regs, PX_SCTL) & ~0xFu;
    wr(p->regs, PX_SCTL, sctl | 1);             /* DET = 1: COMRESET */
    timer_sleep_ms(2);
    wr(p->regs, PX_SCTL, sctl);
    (void)wait_reg(p->regs, PX_SSTS, 0xF, 3, AHCI_RESET_MS);
    wr(p->regs, PX_SERR, 0xFFFFFFFFu);
}

/* The device idle (BSY and DRQ clear), then ST on. */
static int start_engine(struct ahci_port *p) {
    if (wait_reg(p->regs, PX_TFD, ATA_SR_BSY | ATA_SR_DRQ, 0, AHCI_RESET_MS) < 0) {
        comreset(p);
        if (wait_reg(p->regs, PX_TFD, ATA_SR_BSY | ATA_SR_DRQ, 0, AHCI_RESET_MS) < 0) return -1;
    }
    wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) | CMD_ST);
    return 0;
}

/* After an error or a timeout (AHCI 1.3 section 6.2.2): ST off with the
 * engine seen idle (CR clear) and the errors cleared; the next command
 * starts the engine again (start_engine: COMRESET only if the device is
 * still busy then). After a timeout the device may yet finish the command
 * and move data to where its PRD pointed: the command table and the bounce
 * buffer are retired (kept allocated, never reused) and fresh ones take
 * their place, at most AHCI_MAX_RETIRED times per port. */
static void recover(struct ahci_port *p, int timed_out) {
    ahci_stats.recoveries++;
    if (stop_engine(p) < 0) {
        p->dead = 1;
        kprintf("[AHCI] %s: the port's DMA engine does not stop: out of service (its memory stays "
                "allocated)\n", p->bd.name);
        return;
    }
    wr(p->regs, PX_SERR, 0xFFFFFFFFu);
    wr(p->regs, PX_IS, 0xFFFFFFFFu);
    p->irq_is = 0;
    if (!timed_out) return;
    uint64_t table = 0, bounce = 0;
    if (p->retired < AHCI_MAX_RETIRED) {
        table = pmm_alloc_contig(1, 1, p->max_pa);
        bounce = pmm_alloc_contig(BOUNCE_FRAMES, 1, p->max_pa);
    }
    if (!table || !bounce) {
        if (table) pmm_free(table);
        if (bounce) pmm_free_contig(bounce, BOUNCE_FRAMES);
        p->dead = 1;
        kprintf("[AHCI] %s: no fresh DMA memory after a timeout: out of service\n", p->bd.name);
        return;
    }
    memset(phys_to_virt(table), 0, 4096);
    p->table_pa = table;
    p->bounce_pa = bounce;
    p->retired++;
    ahci_stats.retired++;
}

/* Runs one command in slot 0 with the port locked: the bytes the HBA moved
 * (PRDBC), or -EIO (error or timeout: the port is recovered first). */
static long exec(struct ahci_port *p, const struct ahci_cmd *c) {
    if (p->dead) return -EIO;
    if (c->bytes > BOUNCE_BYTES || (c->bytes & 1)) return -EINVAL;
    if (!(rd(p->regs, PX_CMD) & CMD_ST) && start_engine(p) < 0) {
        kprintf("[AHCI] %s: the device stays busy, even after COMRESET\n", p->bd.name);
        return -EIO;
    }
    volatile uint32_t *hdr = phys_to_virt(p->list_pa);
    uint8_t *ct = phys_to_virt(p->table_pa);
    memset(ct, 0, CT_PRDT + 16);
    uint8_t *fis = ct;
    fis[0] = 0x27;                              /* register FIS, host to device */
    fis[1] = 0x80;                              /* C: a command */
    fis[2] = c->command;
    fis[3] = c->features;
    if (c->lba_mode) {
        fis[4] = (uint8_t)c->lba; fis[5] = (uint8_t)(c->lba >> 8); fis[6] = (uint8_t)(c->lba >> 16);
        fis[7] = (uint8_t)(0x40 | (c->lba_mode == 28 ? (c->lba >> 24) & 0x0F : 0));
        if (c->lba_mode == 48) {
            fis[8] = (uint8_t)(c->lba >> 24); fis[9] = (uint8_t)(c->lba >> 32); fis[10] = (uint8_t)(c->lba >> 40);
        }
    }
    fis[12] = (uint8_t)c->count;
    fis[13] = (uint8_t)(c->count >> 8);
    if (c->packet) memcpy(ct + CT_ACMD, c->packet, 12);
    uint32_t prdtl = 0;
    if (c->bytes) {
        volatile uint32_t *prd = (volatile uint32_t *)(ct + CT_PRDT);
        prd[0] = (uint32_t)p->bounce_pa;
        prd[1] = (uint32_t)(p->bounce_pa >> 32);
        prd[2] = 0;
        prd[3] = c->bytes - 1;                  /* byte count - 1 (bit 0 set: even count); no I bit */
        prdtl = 1;
    }
    hdr[0] = 5u | (c->packet ? 1u << 5 : 0) | (c->write ? 1u << 6 : 0) | prdtl << 16;
    hdr[1] = 0;
    hdr[2] = (uint32_t)p->table_pa;
    hdr[3] = (uint32_t)(p->table_pa >> 32);
    p->irq_is = 0;
    wr(p->regs, PX_IS, 0xFFFFFFFFu);
    barrier();
    wr(p->regs, PX_CI, 1);

    uint64_t end = deadline_ms(AHCI_CMD_MS);
    uint64_t f = irq_save();
    for (;;) {
        uint32_t is = p->irq_is | rd(p->regs, PX_IS);
        if ((is & IS_ERRORS) || !(rd(p->regs, PX_CI) & 1) || timer_ticks() >= end) break;
        /* The interrupt wakes us; the poll (every tick without a routed
         * line, every AHCI_POLL_MS with one) is what finds a completion
         * whose interrupt got lost, before the timeout would. */
        uint64_t next = timer_ticks() + (p->hba->has_irq ? AHCI_POLL_MS * TIMER_HZ / 1000 : 1);
        sleep_on_device(p, next < end ? next : end);
    }
    irq_restore(f);
    uint32_t is = p->irq_is | rd(p->regs, PX_IS), tfd = rd(p->regs, PX_TFD);
    int pending = rd(p->regs, PX_CI) & 1;
    if ((is & IS_ERRORS) || (!pending && (tfd & ATA_SR_ERR))) {
        ahci_stats.errors++;
        if (!c->packet)   /* ATAPI CHECK CONDITION (no medium, unit attention) is routine */
            kprintf("[AHCI] %s: command %#x failed: PxIS %#x status %#x error %#x SError %#x\n", p->bd.name,
                    c->command, is, tfd & 0xFF, (tfd >> 8) & 0xFF, rd(p->regs, PX_SERR));
        recover(p, 0);
        return -EIO;
    }
    if (pending) {
        ahci_stats.timeouts++;
        kprintf("[AHCI] %s: command %#x timed out; stopping the port\n", p->bd.name, c->command);
        recover(p, 1);
        return -EIO;
    }
    ahci_stats.commands++;
    barrier();
    return hdr[1];
}

static int in_range(const struct blockdev *bd, uint64_t lba, uint32_t count) {
    return count >= 1 && lba <= bd->sectors && count <= bd->sectors - lba;
}

static int rw(struct blockdev *bd, uint64_t lba, uint32_t count, uint8_t *buf, int write) {
    struct ahci_port *p = bd->priv;
    uint32_t ss = bd->sector_size, per = BOUNCE_BYTES / ss;
    int r = 0;
    if (write && bd->readonly) return -EROFS;
    if (!in_range(bd, lba, count)) return -EINVAL;
    lock(p);
    void *bounce = phys_to_virt(p->bounce_pa);
    for (uint32_t done = 0; done < count && r == 0;) {
        uint32_t n = count - done < per ? count - done : per;
        uint64_t at = lba + done;
        struct ahci_cmd c = { .bytes = n * ss, .write = write };
        uint8_t pkt[12];
        if (p->id.atapi) {
            if (atapi_read10_packet(pkt, at, n) < 0) { r = -EIO; break; }
            c.command = ATA_CMD_PACKET;
            c.features = 1;                     /* DMA */
            c.packet = pkt;
        } else {
            int l48 = p->id.lba48;
            c.command = write ? (l48 ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_WRITE_DMA)
                              : (l48 ? ATA_CMD_READ_DMA_EXT : ATA_CMD_READ_DMA);
            c.lba = at;
            c.count = n;                        /* n <= 128: fits 28-bit's 8-bit count too */
            c.lba_mode = l48 ? 48 : 28;
        }
        if (write) memcpy(bounce, buf + (uint64_t)done * ss, c.bytes);
        long got = exec(p, &c);
        if (got != (long)c.bytes) { r = -EIO; break; }
        if (!write) memcpy(buf + (uint64_t)done * ss, bounce, c.bytes);
        done += n;
    }
    unlock(p);
    return r;
}

static int ahci_read(struct blockdev *bd, uint64_t lba, uint32_t count, void *buf) {
    return rw(bd, lba, count, buf, 0);
}
static int ahci_write(struct blockdev *bd, uint64_t lba, uint32_t count, const void *buf) {
    return rw(bd, lba, count, (uint8_t *)buf, 1);
}

static int ahci_flush(struct blockdev *bd) {
    struct ahci_port *p = bd->priv;
    if (p->id.atapi) return 0;
    struct ahci_cmd c = { .command = p->id.flush_ext ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE,
                          .lba_mode = 48 };
    lock(p);
    long r = exec(p, &c);
    unlock(p);
    return r < 0 ? -EIO : 0;
}

static const struct blockdev_ops ahci_ops = { ahci_read, ahci_write, ahci_flush };

static int read_capacity(struct ahci_port *p) {
    uint8_t pkt[12] = { SCSI_READ_CAPACITY_10 };
    struct ahci_cmd c = { .command = ATA_CMD_PACKET, .features = 1, .packet = pkt, .bytes = 8 };
    /* UNIT ATTENTION after reset fails the first commands: a few tries. */
    for (int tries = 0; tries < 4; tries++) {
        uint8_t *b = phys_to_virt(p->bounce_pa);
        memset(b, 0, 8);
        uint64_t blocks;
        uint32_t bs;
        if (exec(p, &c) == 8 && atapi_parse_capacity(b, &blocks, &bs) == 0) {
            p->bd.sectors = blocks;
            p->bd.sector_size = bs;
            return 0;
        }
    }
    return -1;
}

static void free_port_memory(struct ahci_port *p) {
    pmm_free_contig(p->bounce_pa, BOUNCE_FRAMES);
    pmm_free(p->table_pa);
    pmm_free(p->list_pa);
}

/* Brings up one port with a device: memory, FIS receive, engine, IDENTIFY,
 * and registration. 1 when a device was registered. */
static int port_init(struct ahci_hba *h, int n, uint64_t max_pa) {
    volatile uint8_t *pr = h->abar + 0x100 + 0x80 * n;
    uint32_t det = rd(pr, PX_SSTS) & 0xF;
    if (det == 1) {   /* present, link not up yet: give it a moment */
        (void)wait_reg(pr, PX_SSTS, 0xF, 3, 20);
        det = rd(pr, PX_SSTS) & 0xF;
    }
    if (det != 3 || ((rd(pr, PX_SSTS) >> 8) & 0xF) != 1) return 0;   /* no device, or not active */
    if (nports == AHCI_MAX_DEVS) return 0;
    struct ahci_port *p = &ports[nports];
    memset(p, 0, sizeof *p);
    p->hba = h;
    p->num = n;
    p->regs = pr;
    p->max_pa = max_pa;
    ksnprintf(p->bd.name, sizeof p->bd.name, "ahci%d", n);   /* until it has its real name */
    if (stop_port(p) < 0) {
        kprintf("[AHCI] port %d does not stop; ignored\n", n);
        return 0;
    }
    p->list_pa = pmm_alloc_contig(1, 1, max_pa);
    p->table_pa = pmm_alloc_contig(1, 1, max_pa);
    p->bounce_pa = pmm_alloc_contig(BOUNCE_FRAMES, 1, max_pa);
    if (!p->list_pa || !p->table_pa || !p->bounce_pa) {
        if (p->bounce_pa) pmm_free_contig(p->bounce_pa, BOUNCE_FRAMES);
        if (p->table_pa) pmm_free(p->table_pa);
        if (p->list_pa) pmm_free(p->list_pa);
        kprintf("[AHCI] port %d: no memory for its command list\n", n);
        return 0;
    }
    memset(phys_to_virt(p->list_pa), 0, 4096);
    memset(phys_to_virt(p->table_pa), 0, 4096);
    wr(pr, PX_CLB, (uint32_t)p->list_pa);
    wr(pr, PX_CLBU, (uint32_t)(p->list_pa >> 32));
    wr(pr, PX_FB, (uint32_t)(p->list_pa + 1024));
    wr(pr, PX_FBU, (uint32_t)((p->list_pa + 1024) >> 32));
    wr(pr, PX_SERR, 0xFFFFFFFFu);
    wr(pr, PX_IS, 0xFFFFFFFFu);
    wr(pr, PX_CMD, rd(pr, PX_CMD) | CMD_FRE | CMD_SUD | CMD_POD);
    h->ports[n] = p;
    if (h->has_irq) wr(pr, PX_IE, IS_DONE | IS_ERRORS);
    if (start_engine(p) < 0) {
        kprintf("[AHCI] port %d: the device stays busy; ignored\n", n);
        goto fail;
    }
    int packet = rd(pr, PX_SIG) == SIG_ATAPI;
    struct ahci_cmd c = { .command = packet ? ATA_CMD_IDENTIFY_PACKET : ATA_CMD_IDENTIFY, .bytes = 512 };
    const char *why = "";
    lock(p);
    long got = exec(p, &c);
    int ok = got == 512 && ata_parse_identify(phys_to_virt(p->bounce_pa), packet, &p->id, &why) == 0;
    if (ok && packet && read_capacity(p) < 0) {
        kprintf("[AHCI] port %d: ATAPI \"%s\": no medium (not registered)\n", n, p->id.model);
        ok = -1;
    }
    unlock(p);
    if (ok == 0) {
        kprintf("[AHCI] port %d: IDENTIFY failed: %s\n", n, got == 512 ? why : "no answer");
    }
    if (ok != 1) goto fail;
    if (packet) {
        ksnprintf(p->bd.name, sizeof p->bd.name, "sr%d", ncds);
    } else {
        p->bd.sector_size = p->id.sector_size;
        p->bd.sectors = p->id.sectors;
        ksnprintf(p->bd.name, sizeof p->bd.name, "sd%c", 'a' + ndisks);
    }
    p->bd.readonly = p->id.atapi;
    p->bd.ops = &ahci_ops;
    p->bd.priv = p;
    p->bd.driver = "ahci";
    if ((!packet && ndisks >= 26) || blockdev_register(&p->bd) < 0) {
        kprintf("[AHCI] port %d: cannot register %s\n", n, p->bd.name);
        goto fail;
    }
    if (packet) ncds++;
    else ndisks++;
    nports++;
    kprintf("[AHCI] %s: port %d %s \"%s\" %lu sectors of %u bytes (%lu MiB)%s%s\n", p->bd.name, n,
            packet ? "ATAPI" : "ATA", p->id.model, p->bd.sectors, p->bd.sector_size,
            (p->bd.sectors * p->bd.sector_size) >> 20, p->id.lba48 ? " LBA48" : "",
            p->bd.readonly ? " read-only" : "");
    /* A CD's tables (a hybrid ISO's MBR) count 512-byte sectors, not its 2048-byte ones: disks only. */
    if (!packet) partition_scan(&p->bd);
    return 1;
fail:
    wr(pr, PX_IE, 0);
    h->ports[n] = 0;
    if (stop_port(p) < 0) {
        kprintf("[AHCI] port %d does not stop: its memory stays allocated\n", n);
        return 0;
    }
    free_port_memory(p);
    return 0;
}

/* BIOS/OS handoff (when the HBA offers it), AHCI mode, HBA reset. */
static int hba_reset(struct ahci_hba *h) {
    volatile uint8_t *a = h->abar;
    if (rd(a, HBA_CAP2) & CAP2_BOH) {
        wr(a, HBA_BOHC, rd(a, HBA_BOHC) | BOHC_OOS);
        (void)wait_reg(a, HBA_BOHC, BOHC_BOS, 0, 100);
    }
    wr(a, HBA_GHC, rd(a, HBA_GHC) | GHC_AE);
    wr(a, HBA_GHC, rd(a, HBA_GHC) | GHC_HR);
    if (wait_reg(a, HBA_GHC, GHC_HR, 0, AHCI_RESET_MS) < 0) return -1;
    wr(a, HBA_GHC, rd(a, HBA_GHC) | GHC_AE);
    return 0;
}

int ahci_init(void) {
    int found = 0;
    for (uint32_t i = 0; i < AHCI_MAX_HBAS; i++) {
        const struct pci_dev *d = pci_find_class(0x01, 0x06, 0x01, i);
        if (!d) break;
        struct ahci_hba *h = &hbas[i];
        if (d->bar_is_io[5] || d->bar_size[5] < 0x180) {
            kprintf("[AHCI] %02x:%02x.%x: BAR5 is not an AHCI register block\n", d->bus, d->dev, d->fn);
            continue;
        }
        pci_enable(d, 1);
        h->pci = d;
        h->abar = pci_map_bar(d, 5);
        if (!h->abar) {
            kprintf("[AHCI] %02x:%02x.%x: cannot map BAR5\n", d->bus, d->dev, d->fn);
            continue;
        }
        if (hba_reset(h) < 0) {
            kprintf("[AHCI] %02x:%02x.%x: HBA reset does not finish; ignored\n", d->bus, d->dev, d->fn);
            continue;
        }
        h->cap = rd(h->abar, HBA_CAP);
        uint32_t pi = rd(h->abar, HBA_PI), vs = rd(h->abar, HBA_VS);
        h->has_irq = pci_irq_register(d, ahci_irq, h) == 0;
        kprintf("[AHCI] %02x:%02x.%x: version %x.%x, %u ports (implemented %#x), %s, %s\n", d->bus, d->dev,
                d->fn, vs >> 16, (vs >> 8) & 0xFF, (h->cap & 0x1F) + 1, pi,
                (h->cap & CAP_S64A) ? "64-bit DMA" : "32-bit DMA",
                h->has_irq ? "interrupts" : "no interrupt line: polled");
        wr(h->abar, HBA_IS, 0xFFFFFFFFu);
        if (h->has_irq) wr(h->abar, HBA_GHC, rd(h->abar, HBA_GHC) | GHC_IE);
        uint64_t max_pa = (h->cap & CAP_S64A) ? 0 : 1ULL << 32;
        for (int n = 0; n < AHCI_MAX_PORTS; n++) {
            if (!(pi & (1u << n)) || 0x100 + 0x80ull * (n + 1) > d->bar_size[5]) continue;
            found += port_init(h, n, max_pa);
        }
    }
    return found;
}

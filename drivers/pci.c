/* PCI: configuration access (ECAM from ACPI MCFG when valid, the legacy
 * 0xCF8/0xCFC ports otherwise or beyond ECAM's buses), enumeration of every
 * bus/device/function once at boot, BAR sizing, capabilities, BAR mapping
 * and shared INTx dispatch. The parsers (ACPI, BARs) are pure modules:
 * drivers/pci_acpi.c, drivers/pci_bar.c. */
#include "drivers/pci.h"
#include "drivers/pci_acpi.h"
#include "drivers/pci_bar.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/trapframe.h"
#include "boot/boot_info.h"
#include "mm/mmio.h"
#include "mm/physmap.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "secos/errno.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc
#define PCI_CMD  0x04
#define PCI_CMD_IO 0x1
#define PCI_CMD_MEM 0x2
#define PCI_CMD_MASTER 0x4
#define PCI_CMD_INTX_OFF 0x400
#define PCI_STATUS 0x06
#define PCI_STATUS_CAPS 0x10
/* ECAM is mapped for this many buses at most (16 MiB of window); functions
 * on buses past it still work through the legacy ports. */
#define ECAM_MAX_BUSES 32
#define PCI_IRQ_HANDLERS 8

static struct pci_dev devs[PCI_MAX_DEVICES];
static uint32_t ndevs, dropped;
static int initialised;
static volatile uint8_t *ecam;          /* bus ecam_start's configuration space, or 0 */
static uint32_t ecam_start, ecam_buses;
static volatile void *bar_va[PCI_MAX_DEVICES][6];

static volatile uint8_t *ecam_at(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off) {
    if (!ecam || seg != 0 || bus < ecam_start || bus - ecam_start >= ecam_buses || off >= 4096) return 0;
    return ecam + ((uint64_t)(bus - ecam_start) << 20) + ((uint64_t)dev << 15) + ((uint64_t)fn << 12) + off;
}

static void legacy_select(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off) {
    outl(CFG_ADDR, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)(dev & 31) << 11 | (uint32_t)(fn & 7) << 8 |
                       (off & 0xfc));
}

/* Configuration reads of 1, 2 or 4 bytes at a naturally aligned offset. The
 * two-step legacy access runs with interrupts off (an IRQ handler may use
 * configuration space between the address and the data access). */
static uint32_t cfg_read(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width) {
    volatile uint8_t *p = ecam_at(seg, bus, dev, fn, off);
    if (p) {
        if (width == 4) return *(volatile uint32_t *)p;
        if (width == 2) return *(volatile uint16_t *)p;
        return *p;
    }
    if (seg != 0 || off >= 256) return width == 4 ? 0xffffffffu : width == 2 ? 0xffffu : 0xffu;
    uint64_t f = irq_save();
    legacy_select(bus, dev, fn, off);
    uint32_t v = width == 4 ? inl(CFG_DATA) : width == 2 ? inw(CFG_DATA + (off & 2)) : inb(CFG_DATA + (off & 3));
    irq_restore(f);
    return v;
}

static void cfg_write(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width, uint32_t v) {
    volatile uint8_t *p = ecam_at(seg, bus, dev, fn, off);
    if (p) {
        if (width == 4) *(volatile uint32_t *)p = v;
        else if (width == 2) *(volatile uint16_t *)p = (uint16_t)v;
        else *p = (uint8_t)v;
        return;
    }
    if (seg != 0 || off >= 256) return;
    uint64_t f = irq_save();
    legacy_select(bus, dev, fn, off);
    if (width == 4) outl(CFG_DATA, v);
    else if (width == 2) outw(CFG_DATA + (off & 2), (uint16_t)v);
    else outb(CFG_DATA + (off & 3), (uint8_t)v);
    irq_restore(f);
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t off) { return cfg_read(d->segment, d->bus, d->dev, d->fn, off & ~3, 4); }
uint16_t pci_read16(const struct pci_dev *d, uint16_t off) { return (uint16_t)cfg_read(d->segment, d->bus, d->dev, d->fn, off & ~1, 2); }
uint8_t pci_read8(const struct pci_dev *d, uint16_t off) { return (uint8_t)cfg_read(d->segment, d->bus, d->dev, d->fn, off, 1); }
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v) { cfg_write(d->segment, d->bus, d->dev, d->fn, off & ~3, 4, v); }
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v) { cfg_write(d->segment, d->bus, d->dev, d->fn, off & ~1, 2, v); }
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v) { cfg_write(d->segment, d->bus, d->dev, d->fn, off, 1, v); }

/* ACPI tables live in RAM below 4 GiB on the machines we run on; the
 * physmap covers all of it. */
static const void *acpi_phys(uint64_t pa, uint64_t len) {
    if (pa == 0 || pa + len < pa || pa + len > (4ULL << 30)) return 0;
    return phys_to_virt(pa);
}

static void ecam_init(void) {
    struct pci_ecam_info info;
    const char *why = "";
    uint8_t rsdp[36];
    memcpy(rsdp, boot_info.rsdp, sizeof rsdp);
    if (memcmp(rsdp, "RSD PTR ", 8) != 0 && acpi_scan_rsdp(acpi_phys, rsdp) != 0) memset(rsdp, 0, sizeof rsdp);
    if (acpi_find_ecam(rsdp, acpi_phys, &info, &why) != 0) {
        kprintf("[PCI] legacy configuration ports (%s)\n", why);
        return;
    }
    uint32_t buses = (uint32_t)info.end_bus - info.start_bus + 1;
    if (buses > ECAM_MAX_BUSES) buses = ECAM_MAX_BUSES;
    volatile void *va = mmio_map(info.base + ((uint64_t)info.start_bus << 20), (uint64_t)buses << 20);
    if (!va) {
        kprintf("[PCI] ECAM at %#lx could not be mapped: legacy ports\n", info.base);
        return;
    }
    ecam = va;
    ecam_start = info.start_bus;
    ecam_buses = buses;
    kprintf("[PCI] ECAM at %#lx buses %u-%u (mapped %u)\n", info.base, info.start_bus, info.end_bus, buses);
}

/* Sizes every BAR once, with decoding off so that the all-ones probe never
 * claims addresses another device decodes. */
static void size_bars(struct pci_dev *d, int nbars) {
    uint16_t cmd = pci_read16(d, PCI_CMD);
    pci_write16(d, PCI_CMD, cmd & (uint16_t)~(PCI_CMD_IO | PCI_CMD_MEM));
    for (int i = 0; i < nbars;) {
        uint16_t off = (uint16_t)(0x10 + 4 * i);
        uint32_t lo = pci_read32(d, off);
        pci_write32(d, off, 0xffffffffu);
        uint32_t lo_probe = pci_read32(d, off);
        pci_write32(d, off, lo);
        int has_hi = !(lo & 1) && ((lo >> 1) & 3) == 2 && i + 1 < nbars;
        uint32_t hi = 0, hi_probe = 0;
        if (has_hi) {
            hi = pci_read32(d, (uint16_t)(off + 4));
            pci_write32(d, (uint16_t)(off + 4), 0xffffffffu);
            hi_probe = pci_read32(d, (uint16_t)(off + 4));
            pci_write32(d, (uint16_t)(off + 4), hi);
        }
        struct pci_bar_info b;
        int used = pci_bar_decode(lo, lo_probe, has_hi, hi, hi_probe, &b);
        d->bar[i] = b.base;
        d->bar_size[i] = b.size;
        d->bar_is_io[i] = b.is_io;
        i += used;
    }
    pci_write16(d, PCI_CMD, cmd);
}

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn) {
    if (ndevs == PCI_MAX_DEVICES) { dropped++; return; }
    struct pci_dev *d = &devs[ndevs];
    d->segment = 0;
    d->bus = bus;
    d->dev = dev;
    d->fn = fn;
    uint32_t id = pci_read32(d, 0);
    d->vendor = (uint16_t)id;
    d->device = (uint16_t)(id >> 16);
    uint32_t cls = pci_read32(d, 8);
    d->revision = (uint8_t)cls;
    d->prog_if = (uint8_t)(cls >> 8);
    d->subclass = (uint8_t)(cls >> 16);
    d->class_code = (uint8_t)(cls >> 24);
    uint8_t type = pci_read8(d, 0x0e) & 0x7f;
    d->irq_pin = type == 2 ? 0 : pci_read8(d, 0x3d);
    uint8_t line = pci_read8(d, 0x3c);
    d->irq_pin = d->irq_pin <= 4 ? d->irq_pin : 0;
    d->irq_line = (d->irq_pin && line < 16) ? line : 0xff;
    /* Type 0: six BARs; a bridge (1): two; CardBus (2): none we use. */
    size_bars(d, type == 0 ? 6 : type == 1 ? 2 : 0);
    ndevs++;
}

int pci_init(void) {
    if (initialised) return (int)ndevs;
    initialised = 1;
    ecam_init();
    for (uint32_t bus = 0; bus < 256; bus++)
        for (uint8_t dev = 0; dev < 32; dev++) {
            if ((uint16_t)cfg_read(0, (uint8_t)bus, dev, 0, 0, 2) == 0xffff) continue;
            int multi = cfg_read(0, (uint8_t)bus, dev, 0, 0x0e, 1) & 0x80;
            for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++)
                if ((uint16_t)cfg_read(0, (uint8_t)bus, dev, fn, 0, 2) != 0xffff) add_function((uint8_t)bus, dev, fn);
        }
    kprintf("[PCI] %u functions%s\n", ndevs, dropped ? " (table full: some ignored)" : "");
    if (dropped) kprintf("[PCI] warning: %u functions past the first %d were ignored\n", dropped, PCI_MAX_DEVICES);
    return (int)ndevs;
}

uint32_t pci_count(void) { return ndevs; }
const struct pci_dev *pci_at(uint32_t index) { return index < ndevs ? &devs[index] : 0; }

const struct pci_dev *pci_find_class(uint8_t class_code, uint8_t subclass, uint8_t prog_if, uint32_t nth) {
    for (uint32_t i = 0; i < ndevs; i++)
        if (devs[i].class_code == class_code && devs[i].subclass == subclass &&
            (prog_if == 0xff || devs[i].prog_if == prog_if) && nth-- == 0)
            return &devs[i];
    return 0;
}

const struct pci_dev *pci_find_id(uint16_t vendor, uint16_t device, uint32_t nth) {
    for (uint32_t i = 0; i < ndevs; i++)
        if (devs[i].vendor == vendor && devs[i].device == device && nth-- == 0) return &devs[i];
    return 0;
}

void pci_enable(const struct pci_dev *d, int bus_master) {
    uint16_t cmd = pci_read16(d, PCI_CMD);
    cmd |= PCI_CMD_IO | PCI_CMD_MEM;
    cmd &= (uint16_t)~PCI_CMD_INTX_OFF;   /* our drivers take INTx */
    if (bus_master) cmd |= PCI_CMD_MASTER;
    pci_write16(d, PCI_CMD, cmd);
}

void pci_intx_disable(const struct pci_dev *d) {
    pci_write16(d, PCI_CMD, (uint16_t)(pci_read16(d, PCI_CMD) | PCI_CMD_INTX_OFF));
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t cap_id, uint8_t after) {
    if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAPS)) return 0;
    uint8_t p = after ? pci_read8(d, (uint16_t)(after + 1)) : pci_read8(d, 0x34);
    /* 48 capabilities of 4 bytes fill the 192 bytes above the header: any
     * longer walk is a loop. */
    for (int steps = 0; steps < 48; steps++) {
        p &= 0xfc;
        if (p < 0x40) return 0;
        if (pci_read8(d, p) == cap_id) return p;
        p = pci_read8(d, (uint16_t)(p + 1));
    }
    return 0;
}

volatile void *pci_map_bar(const struct pci_dev *d, int bar) {
    if (d < devs || d >= devs + ndevs || bar < 0 || bar > 5) return 0;
    uint32_t i = (uint32_t)(d - devs);
    if (d->bar_is_io[bar] || d->bar_size[bar] == 0 || d->bar[bar] == 0) return 0;
    if (!bar_va[i][bar]) bar_va[i][bar] = mmio_map(d->bar[bar], d->bar_size[bar]);
    return bar_va[i][bar];
}

struct irq_slot { void (*fn)(void *); void *arg; };
static struct irq_slot irq_chain[16][PCI_IRQ_HANDLERS];
static uint8_t irq_chain_len[16];

/* Every handler on the line runs: each checks its own device (shared,
 * level-triggered lines stay asserted while any device still wants service). */
static void pci_irq_dispatch(struct trapframe *tf) {
    int irq = (int)tf->vector - IRQ_BASE;
    if (irq < 0 || irq >= 16) return;
    for (uint8_t i = 0; i < irq_chain_len[irq]; i++) irq_chain[irq][i].fn(irq_chain[irq][i].arg);
}

/* Lines the kernel's own ISA devices use: never handed to PCI handlers. */
static int line_reserved(uint8_t line) { return line == 0 || line == 1 || line == 2 || line == 4; }

int pci_irq_register(const struct pci_dev *d, void (*fn)(void *arg), void *arg) {
    if (!d || !fn) return -EINVAL;
    uint8_t line = d->irq_line;
    if (line >= 16) return -ENODEV;
    if (line_reserved(line)) return -EBUSY;
    uint64_t f = irq_save();
    if (irq_chain_len[line] == PCI_IRQ_HANDLERS) { irq_restore(f); return -ENOSPC; }
    irq_chain[line][irq_chain_len[line]++] = (struct irq_slot){ fn, arg };
    if (irq_chain_len[line] == 1) {
        irq_register(line, pci_irq_dispatch);
        /* PCI INTx is level-triggered, active low: the ELCR bit says so to
         * the PIC (the firmware normally set it already). */
        uint16_t elcr = line < 8 ? 0x4d0 : 0x4d1;
        outb(elcr, inb(elcr) | (uint8_t)(1u << (line & 7)));
        pic_unmask(line);
        if (line >= 8) pic_unmask(2);
    }
    irq_restore(f);
    return 0;
}

struct class_name { uint8_t cls, sub, prog; const char *name; };
static const struct class_name class_names[] = {
    { 0x01, 0x00, 0xff, "mass storage / SCSI" },
    { 0x01, 0x01, 0xff, "mass storage / IDE" },
    { 0x01, 0x06, 0x01, "mass storage / SATA (AHCI)" },
    { 0x01, 0x06, 0xff, "mass storage / SATA" },
    { 0x01, 0x08, 0x02, "mass storage / NVMe" },
    { 0x01, 0x80, 0xff, "mass storage / other" },
    { 0x01, 0xff, 0xff, "mass storage" },
    { 0x02, 0x00, 0xff, "network / Ethernet" },
    { 0x02, 0xff, 0xff, "network" },
    { 0x03, 0x00, 0xff, "display / VGA" },
    { 0x03, 0xff, 0xff, "display" },
    { 0x04, 0xff, 0xff, "multimedia" },
    { 0x05, 0xff, 0xff, "memory controller" },
    { 0x06, 0x00, 0xff, "bridge / host" },
    { 0x06, 0x01, 0xff, "bridge / ISA" },
    { 0x06, 0x04, 0xff, "bridge / PCI-PCI" },
    { 0x06, 0x80, 0xff, "bridge / other" },
    { 0x06, 0xff, 0xff, "bridge" },
    { 0x07, 0x00, 0xff, "communication / serial" },
    { 0x07, 0xff, 0xff, "communication" },
    { 0x08, 0xff, 0xff, "system peripheral" },
    { 0x0c, 0x03, 0xff, "serial bus / USB" },
    { 0x0c, 0x05, 0xff, "serial bus / SMBus" },
    { 0x0c, 0xff, 0xff, "serial bus" },
    { 0xff, 0xff, 0xff, "unknown" },
};

const char *pci_class_name(uint8_t class_code, uint8_t subclass, uint8_t prog_if) {
    const struct class_name *c = class_names;
    for (; c->cls != 0xff; c++)
        if (c->cls == class_code && (c->sub == 0xff || c->sub == subclass) && (c->prog == 0xff || c->prog == prog_if))
            return c->name;
    return c->name;
}

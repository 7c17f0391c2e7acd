/* Intel 8254x (82540EM: QEMU's "e1000", the default NIC of the pc machine)
 * and 82574L (QEMU's "e1000e", q35's default) driven through the legacy
 * descriptor format both share: one receive and one transmit ring of
 * E1000_RING descriptors, each with its own 2 KiB buffer, interrupts on
 * the legacy INTx line (the ICR read acknowledges them), polling when no
 * line is routed.
 *
 * DMA: the rings and the buffers are kernel-owned frames given to the
 * device once, when the NIC is first used (netdev_up), and never freed or
 * reused for anything else. A
 * receive buffer belongs to the device from the moment RDT moves past its
 * descriptor until the driver sees DD set; the driver then copies the frame
 * out (its length checked against the buffer) and hands the descriptor
 * back. A transmit buffer is rewritten only after the device set DD on it.
 * A frame that spans descriptors (no EOP; impossible with long packets off)
 * or that the device flags with an error is counted and dropped. */
#include "drivers/e1000.h"
#include "drivers/pci.h"
#include "net/netdev.h"
#include "mm/pmm.h"
#include "mm/physmap.h"
#include "kernel/time.h"
#include "arch/x86_64/cpu.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "secos/errno.h"

#define REG_CTRL   0x0000
#define REG_STATUS 0x0008
#define REG_EERD   0x0014
#define REG_ICR    0x00c0
#define REG_IMS    0x00d0
#define REG_IMC    0x00d8
#define REG_RCTL   0x0100
#define REG_TCTL   0x0400
#define REG_TIPG   0x0410
#define REG_RDBAL  0x2800
#define REG_RDBAH  0x2804
#define REG_RDLEN  0x2808
#define REG_RDH    0x2810
#define REG_RDT    0x2818
#define REG_TDBAL  0x3800
#define REG_TDBAH  0x3804
#define REG_TDLEN  0x3808
#define REG_TDH    0x3810
#define REG_TDT    0x3818
#define REG_MTA    0x5200
#define REG_RAL0   0x5400
#define REG_RAH0   0x5404

#define CTRL_SLU   (1u << 6)
#define CTRL_RST   (1u << 26)
#define STATUS_LU  (1u << 1)
#define RCTL_EN    (1u << 1)
#define RCTL_BAM   (1u << 15)
#define RCTL_SECRC (1u << 26)        /* strip the FCS: frames arrive as netdev wants them */
#define TCTL_EN    (1u << 1)
#define TCTL_PSP   (1u << 3)
#define ICR_TXDW   (1u << 0)
#define ICR_LSC    (1u << 2)
#define ICR_RXDMT0 (1u << 4)
#define ICR_RXO    (1u << 6)
#define ICR_RXT0   (1u << 7)
#define RAH_AV     (1u << 31)

#define RX_DD  0x01
#define RX_EOP 0x02
#define TX_CMD_EOP  0x01
#define TX_CMD_IFCS 0x02
#define TX_CMD_RS   0x08
#define TX_DD  0x01

#define E1000_RING 32                 /* descriptors per ring: 512 bytes, both rings in one frame */
#define E1000_BUF  2048
#define E1000_MAX  2
/* Reset completes within microseconds on real parts; this bounds a device that never clears RST. */
#define RESET_SPINS 1000000

struct rx_desc { uint64_t addr; uint16_t len, csum; uint8_t status, errors; uint16_t special; };
struct tx_desc { uint64_t addr; uint16_t len; uint8_t cso, cmd, status, css; uint16_t special; };
_Static_assert(sizeof(struct rx_desc) == 16 && sizeof(struct tx_desc) == 16, "legacy descriptors are 16 bytes");

struct e1000 {
    struct netdev nd;
    const struct pci_dev *pci;
    volatile uint8_t *regs;
    volatile struct rx_desc *rx;
    volatile struct tx_desc *tx;
    uint8_t *rx_buf[E1000_RING], *tx_buf[E1000_RING];
    uint32_t rx_next;                 /* next descriptor the device fills */
    uint32_t tx_tail, tx_clean;       /* next free slot; oldest slot not known done */
};

static struct e1000 nics[E1000_MAX];
static int nnics;

static uint32_t rd(struct e1000 *e, uint32_t r) { return *(volatile uint32_t *)(e->regs + r); }
static void wr(struct e1000 *e, uint32_t r, uint32_t v) { *(volatile uint32_t *)(e->regs + r) = v; }

/* Takes every frame the device finished; gives each descriptor back. */
static void rx_drain(struct e1000 *e) {
    for (uint32_t n = 0; n < E1000_RING; n++) {
        volatile struct rx_desc *d = &e->rx[e->rx_next];
        if (!(d->status & RX_DD)) break;
        uint32_t len = d->len;
        if (!(d->status & RX_EOP) || d->errors || len > E1000_BUF) e->nd.stats.rx_errors++;
        else netdev_rx(&e->nd, e->rx_buf[e->rx_next], len);
        d->status = 0;
        wr(e, REG_RDT, e->rx_next);   /* this descriptor is the device's again */
        e->rx_next = (e->rx_next + 1) % E1000_RING;
    }
}

static void tx_reclaim(struct e1000 *e) {
    while (e->tx_clean != e->tx_tail && (e->tx[e->tx_clean].status & TX_DD))
        e->tx_clean = (e->tx_clean + 1) % E1000_RING;
}

static void e1000_irq(void *arg) {
    struct e1000 *e = arg;
    uint32_t icr = rd(e, REG_ICR);    /* reading acknowledges */
    if (!icr) return;                 /* the line is shared: another device's */
    e->nd.stats.irqs++;
    if (icr & (ICR_RXT0 | ICR_RXO | ICR_RXDMT0)) rx_drain(e);
    if (icr & ICR_TXDW) tx_reclaim(e);
}

static void e1000_poll(struct netdev *nd) {
    struct e1000 *e = nd->priv;
    rd(e, REG_ICR);
    rx_drain(e);
    tx_reclaim(e);
}

static int e1000_xmit(struct netdev *nd, const void *frame, uint32_t len) {
    struct e1000 *e = nd->priv;
    tx_reclaim(e);
    uint32_t next = (e->tx_tail + 1) % E1000_RING;
    if (next == e->tx_clean) return -ENOBUFS;
    memcpy(e->tx_buf[e->tx_tail], frame, len);
    volatile struct tx_desc *d = &e->tx[e->tx_tail];
    d->len = (uint16_t)len;
    d->cso = 0;
    d->css = 0;
    d->special = 0;
    d->status = 0;
    d->cmd = TX_CMD_EOP | TX_CMD_IFCS | TX_CMD_RS;
    e->tx_tail = next;
    __asm__ volatile("" ::: "memory");   /* the descriptor is written before the device is told */
    wr(e, REG_TDT, e->tx_tail);
    return 0;
}

static int e1000_link_up(struct netdev *nd) {
    struct e1000 *e = nd->priv;
    return (rd(e, REG_STATUS) & STATUS_LU) != 0;
}

/* The MAC the firmware/EEPROM loaded into receive address 0. */
static int read_mac(struct e1000 *e, uint8_t mac[6]) {
    uint32_t lo = rd(e, REG_RAL0), hi = rd(e, REG_RAH0);
    if (!(hi & RAH_AV)) return -1;
    for (int i = 0; i < 4; i++) mac[i] = (uint8_t)(lo >> (8 * i));
    mac[4] = (uint8_t)hi;
    mac[5] = (uint8_t)(hi >> 8);
    if (mac[0] & 1) return -1;                        /* a multicast address is not a station's */
    for (int i = 0; i < 6; i++) if (mac[i]) return 0;
    return -1;
}

/* Frames for the rings and buffers: 0, or -ENOMEM with every frame taken
 * given back (the device has not been told about any of them yet). */
static int alloc_dma(struct e1000 *e, uint64_t *ring_pa) {
    enum { NFRAMES = 1 + E1000_RING };   /* the ring frame, then one frame per two buffers each way */
    uint64_t f[NFRAMES];
    if (pmm_alloc_zeroed_n(f, NFRAMES) != 0) return -ENOMEM;
    *ring_pa = f[0];
    e->rx = phys_to_virt(f[0]);
    e->tx = (volatile struct tx_desc *)((uint8_t *)phys_to_virt(f[0]) + 2048);
    for (int i = 0; i < E1000_RING; i++) {
        uint64_t rx = f[1 + i / 2] + (uint64_t)(i % 2) * E1000_BUF;
        uint64_t tx = f[1 + E1000_RING / 2 + i / 2] + (uint64_t)(i % 2) * E1000_BUF;
        e->rx_buf[i] = phys_to_virt(rx);
        e->tx_buf[i] = phys_to_virt(tx);
        e->rx[i].addr = rx;
        e->tx[i].addr = tx;
        e->tx[i].status = TX_DD;
    }
    return 0;
}

/* netdev_up: rings and buffers, then receive and transmit on. */
static int e1000_open(struct netdev *nd) {
    struct e1000 *e = nd->priv;
    uint64_t ring;
    if (alloc_dma(e, &ring) != 0) {
        kprintf("[E1000] %s: out of memory for the rings\n", nd->name);
        return -ENOMEM;
    }
    wr(e, REG_RDBAL, (uint32_t)ring);
    wr(e, REG_RDBAH, (uint32_t)(ring >> 32));
    wr(e, REG_RDLEN, E1000_RING * sizeof(struct rx_desc));
    wr(e, REG_RDH, 0);
    wr(e, REG_RDT, E1000_RING - 1);   /* all but one descriptor are the device's */
    e->rx_next = 0;
    wr(e, REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);   /* 2 KiB buffers (BSIZE 0), no long packets */

    uint64_t txr = ring + 2048;
    wr(e, REG_TDBAL, (uint32_t)txr);
    wr(e, REG_TDBAH, (uint32_t)(txr >> 32));
    wr(e, REG_TDLEN, E1000_RING * sizeof(struct tx_desc));
    wr(e, REG_TDH, 0);
    wr(e, REG_TDT, 0);
    e->tx_tail = e->tx_clean = 0;
    wr(e, REG_TIPG, 10 | 8u << 10 | 6u << 20);           /* the IEEE 802.3 gaps the manual gives */
    wr(e, REG_TCTL, TCTL_EN | TCTL_PSP | 0x10u << 4 | 0x40u << 12);
    if (nd->irq_ok) wr(e, REG_IMS, ICR_RXT0 | ICR_RXO | ICR_RXDMT0 | ICR_TXDW | ICR_LSC);
    return 0;
}

static const struct netdev_ops e1000_ops = { e1000_open, e1000_xmit, e1000_link_up, e1000_poll };

/* Reset, MAC, link: the rings wait for netdev_up. */
static int probe(const struct pci_dev *d, const char *model) {
    if (nnics == E1000_MAX) return -ENOSPC;
    struct e1000 *e = &nics[nnics];
    e->pci = d;
    e->regs = pci_map_bar(d, 0);
    if (!e->regs || d->bar_size[0] < 0x20000) {
        kprintf("[E1000] %02x:%02x.%x: register BAR 0 missing or too small\n", d->bus, d->dev, d->fn);
        return -ENODEV;
    }
    pci_enable(d, 1);
    wr(e, REG_IMC, 0xffffffff);
    wr(e, REG_CTRL, rd(e, REG_CTRL) | CTRL_RST);
    int spins = 0;
    while ((rd(e, REG_CTRL) & CTRL_RST) && spins < RESET_SPINS) { __asm__ volatile("pause"); spins++; }
    if (spins == RESET_SPINS) {
        kprintf("[E1000] %02x:%02x.%x: reset did not complete\n", d->bus, d->dev, d->fn);
        return -EIO;
    }
    wr(e, REG_IMC, 0xffffffff);
    rd(e, REG_ICR);
    if (read_mac(e, e->nd.mac) != 0) {
        kprintf("[E1000] %02x:%02x.%x: no valid MAC address in receive address 0\n", d->bus, d->dev, d->fn);
        return -ENODEV;
    }
    for (uint32_t i = 0; i < 128; i++) wr(e, REG_MTA + 4 * i, 0);
    wr(e, REG_CTRL, rd(e, REG_CTRL) | CTRL_SLU);
    e->nd.driver = model;
    e->nd.ops = &e1000_ops;
    e->nd.priv = e;
    int r = netdev_register(&e->nd);
    if (r != 0) {
        kprintf("[E1000] %02x:%02x.%x: cannot register: %d\n", d->bus, d->dev, d->fn, r);
        return r;
    }
    e->nd.irq_ok = pci_irq_register(d, e1000_irq, e) == 0;
    nnics++;
    const uint8_t *m = e->nd.mac;
    kprintf("[E1000] %s: %s at %02x:%02x.%x, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, irq %s\n", e->nd.name,
            model, d->bus, d->dev, d->fn, m[0], m[1], m[2], m[3], m[4], m[5],
            e1000_link_up(&e->nd) ? "up" : "down", e->nd.irq_ok ? "on" : "off (polling)");
    return 0;
}

int e1000_init(void) {
    static const struct { uint16_t id; const char *model; } ids[] = {
        { 0x100e, "82540EM (e1000)" }, { 0x100f, "82545EM (e1000)" }, { 0x10d3, "82574L (e1000e)" },
    };
    for (unsigned k = 0; k < sizeof ids / sizeof ids[0]; k++)
        for (uint32_t n = 0;; n++) {
            const struct pci_dev *d = pci_find_id(0x8086, ids[k].id, n);
            if (!d) break;
            probe(d, ids[k].model);
        }
    return nnics;
}

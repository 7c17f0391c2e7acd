/* ACPI power-off. The FADT (found through the RSDP the loader handed over,
 * or the BIOS areas a Multiboot 1 boot leaves it in) names the PM1a/PM1b
 * control ports; the DSDT's \_S5 package gives the sleep type. Writing
 * SLP_TYP | SLP_EN there is a request that the chipset (or QEMU's main loop)
 * carries out a little later, so the caller must wait before calling it a
 * failure. Without ACPI tables the ports QEMU's firmware programs are used:
 * 0x604 (SeaBIOS on pc and q35, OVMF on q35) and 0xB004 (OVMF on pc). */
#include "drivers/power.h"
#include "boot/boot_info.h"
#include "mm/physmap.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/cpu.h"
#include "kernel/time.h"
#include "lib/string.h"
#include <stdint.h>

#define SLP_EN (1u << 13)
#define WAIT_MS 2000

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static int sum_ok(const uint8_t *p, uint32_t n) {
    uint8_t s = 0;
    for (uint32_t i = 0; i < n; i++) s = (uint8_t)(s + p[i]);
    return s == 0;
}

/* An ACPI table below 4 GiB (the physmap always covers that) with a sane
 * length and a good checksum, else NULL. */
static const uint8_t *acpi_table(uint64_t pa, const char *sig) {
    if (pa == 0 || pa >= (1ull << 32) - 36) return 0;
    const uint8_t *t = phys_to_virt(pa);
    uint32_t len = rd32(t + 4);
    if (len < 36 || len > (1u << 20) || pa + len > (1ull << 32)) return 0;
    if (sig && memcmp(t, sig, 4) != 0) return 0;
    return sum_ok(t, len) ? t : 0;
}

static const uint8_t *scan_rsdp(uint64_t from, uint64_t to) {
    for (uint64_t pa = from & ~15ull; pa + 20 <= to; pa += 16) {
        const uint8_t *p = phys_to_virt(pa);
        if (memcmp(p, "RSD PTR ", 8) == 0 && sum_ok(p, 20)) return p;
    }
    return 0;
}

static const uint8_t *find_rsdp(void) {
    if (boot_info.rsdp_addr && memcmp(boot_info.rsdp, "RSD PTR ", 8) == 0 && sum_ok(boot_info.rsdp, 20))
        return boot_info.rsdp;
    /* BIOS: the first KiB of the EBDA, then 0xE0000-0xFFFFF. */
    uint16_t seg;
    memcpy(&seg, phys_to_virt(0x40E), 2);
    const uint8_t *r = seg ? scan_rsdp((uint64_t)seg << 4, ((uint64_t)seg << 4) + 1024) : 0;
    return r ? r : scan_rsdp(0xE0000, 0x100000);
}

static const uint8_t *find_fadt(void) {
    const uint8_t *rsdp = find_rsdp();
    if (!rsdp) return 0;
    const uint8_t *xsdt = rsdp[15] >= 2 ? acpi_table(rd64(rsdp + 24), "XSDT") : 0;
    const uint8_t *sdt = xsdt ? xsdt : acpi_table(rd32(rsdp + 16), "RSDT");
    if (!sdt) return 0;
    uint32_t esz = xsdt ? 8 : 4, n = (rd32(sdt + 4) - 36) / esz;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = sdt + 36 + i * esz;
        const uint8_t *t = acpi_table(xsdt ? rd64(e) : rd32(e), "FACP");
        if (t) return t;
    }
    return 0;
}

/* SLP_TYPa/b of \_S5: the AML "_S5_" Name followed by a Package whose first
 * two elements are byte constants (0x0A xx) or Zero/One. */
static int s5_types(const uint8_t *fadt, uint16_t *a, uint16_t *b) {
    uint32_t flen = rd32(fadt + 4);
    uint64_t dsdt_pa = flen >= 148 ? rd64(fadt + 140) : 0;
    const uint8_t *dsdt = acpi_table(dsdt_pa ? dsdt_pa : rd32(fadt + 40), "DSDT");
    if (!dsdt) return 0;
    uint32_t len = rd32(dsdt + 4);
    for (uint32_t i = 36; i + 12 < len; i++) {
        const uint8_t *p = dsdt + i;
        if (memcmp(p, "_S5_", 4) != 0 || p[4] != 0x12) continue;   /* PackageOp */
        p += 5;
        p += 1 + (*p >> 6);                                          /* PkgLength */
        p++;                                                         /* NumElements */
        uint16_t v[2];
        for (int k = 0; k < 2; k++) {
            if (*p == 0x0A) { v[k] = p[1]; p += 2; }                 /* BytePrefix */
            else if (*p <= 1) { v[k] = *p; p += 1; }                 /* ZeroOp, OneOp */
            else return 0;
        }
        *a = (uint16_t)((v[0] & 7) << 10);
        *b = (uint16_t)((v[1] & 7) << 10);
        return 1;
    }
    return 0;
}

/* The PM1 control port: the FADT's X_ form when it names I/O space, else the
 * 32-bit block address. 0 if neither fits an I/O port. */
static uint16_t pm1_port(const uint8_t *fadt, uint32_t x_off, uint32_t off) {
    uint32_t flen = rd32(fadt + 4);
    if (flen >= x_off + 12 && fadt[x_off] == 1) {                   /* GAS, SystemIO */
        uint64_t port = rd64(fadt + x_off + 4);
        if (port && port <= 0xFFFF) return (uint16_t)port;
    }
    uint32_t port = rd32(fadt + off);
    return port <= 0xFFFF ? (uint16_t)port : 0;
}

static void (*prepare)(void);

void power_set_prepare_hook(void (*fn)(void)) { prepare = fn; }

void power_prepare(void) {
    if (prepare) prepare();
}

void power_off(const char **why) {
    power_prepare();
    const uint8_t *fadt = find_fadt();
    if (fadt && rd32(fadt + 4) >= 72) {
        uint16_t typ_a = 0, typ_b = 0;              /* QEMU's \_S5 is 0, 0 */
        int from_dsdt = s5_types(fadt, &typ_a, &typ_b);
        uint16_t pm1a = pm1_port(fadt, 172, 64), pm1b = pm1_port(fadt, 184, 68);
        if (pm1a) {
            outw(pm1a, typ_a | SLP_EN);
            if (pm1b) outw(pm1b, typ_b | SLP_EN);
            timer_sleep_ms(WAIT_MS);
            *why = from_dsdt ? "the FADT's PM1 control port did not switch the machine off"
                             : "the FADT's PM1 control port (no \\_S5 in the DSDT) did not switch the machine off";
            return;
        }
    }
    outw(0x604, SLP_EN);
    outw(0xB004, SLP_EN);
    timer_sleep_ms(WAIT_MS);
    *why = "no ACPI FADT, and QEMU's PM1 ports 0x604/0xB004 did not switch the machine off";
}

void power_reboot(void) {
    power_prepare();
    cpu_cli();
    /* The 8042's reset line; wait for its input buffer to drain first. */
    for (int i = 0; i < 100000 && (inb(0x64) & 2); i++) {}
    outb(0x64, 0xFE);
    for (volatile int i = 0; i < 1000000; i++) {}
    /* Fallback: an empty IDT turns the next exception into a triple fault. */
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };
    __asm__ volatile("lidt %0; int3" ::"m"(none));
    for (;;) cpu_hlt();
}

/* ACPI walk for MCFG. Every table is read twice through the reader: first
 * its 36-byte header (for the length), then the whole length, which is
 * bounded and must cover the header; nothing is trusted before the checksum
 * over that length is zero. The reader's views must stay valid for the whole
 * walk (the physmap in the kernel, a buffer in tests). */
#include "drivers/pci_acpi.h"
#include "lib/string.h"

#define SDT_HEADER 36
#define MCFG_ENTRIES_OFF 44
#define MCFG_ENTRY 16

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static int sum_ok(const uint8_t *p, uint32_t n) {
    uint8_t s = 0;
    for (uint32_t i = 0; i < n; i++) s = (uint8_t)(s + p[i]);
    return s == 0;
}

/* The table at pa with that signature, checked; its length in *len. */
static const uint8_t *table_at(uint64_t pa, const char *sig, acpi_reader read, uint32_t *len) {
    if (pa == 0) return 0;
    const uint8_t *h = read(pa, SDT_HEADER);
    if (!h || memcmp(h, sig, 4) != 0) return 0;
    uint32_t n = le32(h + 4);
    if (n < SDT_HEADER || n > ACPI_TABLE_MAX) return 0;
    const uint8_t *t = read(pa, n);
    /* Checked again on the full view: the header read told the length only. */
    if (!t || memcmp(t, sig, 4) != 0 || le32(t + 4) != n || !sum_ok(t, n)) return 0;
    *len = n;
    return t;
}

static int mcfg_segment0(const uint8_t *m, uint32_t len, struct pci_ecam_info *out, const char **why) {
    if (len < MCFG_ENTRIES_OFF + MCFG_ENTRY) { *why = "MCFG has no entries"; return -1; }
    for (uint32_t off = MCFG_ENTRIES_OFF; off + MCFG_ENTRY <= len; off += MCFG_ENTRY) {
        const uint8_t *e = m + off;
        uint64_t base = le64(e);
        uint16_t seg = (uint16_t)(e[8] | e[9] << 8);
        uint8_t start = e[10], end = e[11];
        if (seg != 0) continue;
        /* Bus b lives at base + (b << 20): the window must be 1 MiB aligned,
         * non-zero, and its last bus must not wrap the address space. */
        if (base == 0 || (base & 0xfffff) || start > end || base + ((uint64_t)end + 1) * (1u << 20) < base ||
            base + ((uint64_t)end + 1) * (1u << 20) > (1ULL << 52)) {
            *why = "MCFG segment 0 entry is malformed";
            return -1;
        }
        out->base = base;
        out->start_bus = start;
        out->end_bus = end;
        return 0;
    }
    *why = "MCFG has no segment 0";
    return -1;
}

int acpi_find_ecam(const uint8_t rsdp[36], acpi_reader read, struct pci_ecam_info *out, const char **why) {
    static const char *dummy;
    if (!why) why = &dummy;
    if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0) { *why = "no ACPI RSDP"; return -1; }
    if (!sum_ok(rsdp, 20)) { *why = "RSDP checksum is wrong"; return -1; }
    uint8_t rev = rsdp[15];
    uint64_t root = 0;
    int wide = 0;
    if (rev >= 2) {
        if (le32(rsdp + 20) < 36 || !sum_ok(rsdp, 36)) { *why = "RSDP extended checksum is wrong"; return -1; }
        root = le64(rsdp + 24);
        wide = root != 0;
    }
    uint32_t len = 0;
    const uint8_t *t = wide ? table_at(root, "XSDT", read, &len) : 0;
    if (!t) {
        wide = 0;
        t = table_at(le32(rsdp + 16), "RSDT", read, &len);
    }
    if (!t) { *why = "no valid RSDT or XSDT"; return -1; }
    uint32_t step = wide ? 8 : 4;
    uint32_t n = (len - SDT_HEADER) / step;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t mlen;
        uint64_t pa = wide ? le64(t + SDT_HEADER + i * 8) : le32(t + SDT_HEADER + i * 4);
        const uint8_t *m = table_at(pa, "MCFG", read, &mlen);
        if (m) return mcfg_segment0(m, mlen, out, why);
    }
    *why = "no valid MCFG table";
    return -1;
}

static int scan_range(acpi_reader read, uint64_t from, uint64_t len, uint8_t out[36]) {
    const uint8_t *p = read(from, len);
    if (!p) return -1;
    for (uint64_t off = 0; off + 36 <= len; off += 16) {
        if (memcmp(p + off, "RSD PTR ", 8) != 0 || !sum_ok(p + off, 20)) continue;
        memcpy(out, p + off, 36);
        if (out[15] < 2) memset(out + 20, 0, 16);   /* a v1 RSDP is 20 bytes: the rest is not its */
        return 0;
    }
    return -1;
}

int acpi_scan_rsdp(acpi_reader read, uint8_t out[36]) {
    const uint8_t *bda = read(0x40e, 2);
    if (bda) {
        uint64_t ebda = (uint64_t)(bda[0] | bda[1] << 8) << 4;
        if (ebda >= 0x80000 && ebda < 0xa0000 && scan_range(read, ebda, 1024, out) == 0) return 0;
    }
    return scan_range(read, 0xe0000, 0x20000, out);
}

/* Page-table construction. See paging.h. */
#include "uefi/paging.h"

#define GIB (1ULL << 30)
#define MIB2 (2ULL << 20)

static uint64_t *table_at(uint64_t phys)
{
    return (uint64_t *)(uintptr_t)phys;
}

static uint64_t alloc_table(struct pt_pool *pool)
{
    if (pool->end - pool->next < 4096 || pool->next > pool->end)
        return 0;
    uint64_t p = pool->next;
    pool->next += 4096;
    uint64_t *t = table_at(p);
    for (int i = 0; i < 512; i++)
        t[i] = 0;
    return p;
}

/* The table that entry idx of table points to, created if absent. 0 on
 * failure (pool empty, or a large page already sits there). */
static uint64_t walk(struct pt_pool *pool, uint64_t table, unsigned idx)
{
    uint64_t *e = &table_at(table)[idx];
    if (*e & PTE_P)
        return (*e & PTE_PS) ? 0 : (*e & PTE_ADDR);
    uint64_t t = alloc_table(pool);
    if (t)
        *e = t | PTE_P | PTE_W;
    return t;
}

/* Page directory covering virt, or 0. */
static uint64_t pd_for(struct pt_pool *pool, uint64_t pml4, uint64_t virt)
{
    uint64_t pdpt = walk(pool, pml4, (virt >> 39) & 511);
    return pdpt ? walk(pool, pdpt, (virt >> 30) & 511) : 0;
}

uint64_t pt_pages_needed(uint64_t ident_end, uint64_t kspan)
{
    uint64_t pds = (ident_end + GIB - 1) / GIB;
    uint64_t pdpts = (ident_end + 512 * GIB - 1) / (512 * GIB);
    /* Kernel: one PDPT, up to two PDs (if it straddles a 1 GiB line), one
     * PT per 2 MiB plus one for a range that is not 2 MiB aligned. */
    uint64_t kernel = 1 + 2 + (kspan + MIB2 - 1) / MIB2 + 1;
    return 1 + pdpts + pds + kernel;
}

int pt_build(struct pt_pool *pool, uint64_t ident_end,
             uint64_t kvirt, uint64_t kphys, uint64_t kspan,
             uint64_t *pml4_out, const char **why)
{
    /* Identity map must stay in the lower canonical half and away from the
     * kernel's slot at the top: 64 TiB is far beyond any machine we boot. */
    if (ident_end > (64ULL << 40)) {
        *why = "physical address space too large to identity-map";
        return -1;
    }
    if ((kvirt | kphys | kspan) & 4095) {
        *why = "kernel mapping not page aligned";
        return -1;
    }
    if (kvirt < 0xffff800000000000ULL || kvirt + kspan < kvirt) {
        *why = "kernel mapping not in the upper half";
        return -1;
    }

    uint64_t pml4 = alloc_table(pool);
    if (!pml4)
        goto full;

    for (uint64_t a = 0; a < ident_end; a += MIB2) {
        uint64_t pd = pd_for(pool, pml4, a);
        if (!pd)
            goto full;
        table_at(pd)[(a >> 21) & 511] = a | PTE_P | PTE_W | PTE_PS;
    }

    for (uint64_t off = 0; off < kspan; off += 4096) {
        uint64_t v = kvirt + off;
        uint64_t pd = pd_for(pool, pml4, v);
        uint64_t pt = pd ? walk(pool, pd, (v >> 21) & 511) : 0;
        if (!pt)
            goto full;
        table_at(pt)[(v >> 12) & 511] = (kphys + off) | PTE_P | PTE_W;
    }
    *pml4_out = pml4;
    return 0;
full:
    *why = "page-table pool exhausted";
    return -1;
}

int64_t pt_translate(uint64_t pml4, uint64_t virt)
{
    uint64_t t = pml4;
    for (int level = 3; level >= 0; level--) {
        uint64_t e = table_at(t)[(virt >> (12 + 9 * level)) & 511];
        if (!(e & PTE_P))
            return -1;
        if (level == 1 && (e & PTE_PS))
            return (int64_t)((e & PTE_ADDR & ~(MIB2 - 1)) | (virt & (MIB2 - 1)));
        t = e & PTE_ADDR;
    }
    return (int64_t)(t | (virt & 4095));
}

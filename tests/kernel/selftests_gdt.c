/* The sealed GDT must never need a CPU write: every code/data descriptor is
 * Accessed and the TSS descriptor is busy before paging_seal_ro_after_init()
 * makes the table read-only (see arch/x86_64/gdt.c). */
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "arch/x86_64/gdt.h"

SELFTEST(gdt_sealable, "core.gdt_no_cpu_writes") {
    ST_CHECK(gdt_sealable() == 0);
    /* The table the CPU uses is the one checked (sgdt is allowed in ring 0). */
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } g;
    __asm__ volatile("sgdt %0" : "=m"(g));
    const uint64_t *d = (const uint64_t *)g.base;
    for (unsigned sel = GDT_KERNEL_CODE; sel <= GDT_USER_CODE; sel += 8)
        ST_CHECK((d[sel / 8] >> 40) & 1);
    ST_CHECK(((d[GDT_TSS / 8] >> 40) & 0xf) == 0xb);
    return 0;
}

/* GDT with kernel and user segments and one TSS. In long mode segments are
 * flat; what matters is the DPL of each descriptor and the TSS, which gives
 * the CPU the ring-0 stack (rsp0) and the IST stacks for faults that must not
 * trust the current stack (double fault, NMI, machine check). */
#include "arch/x86_64/gdt.h"
#include "lib/string.h"
#include "lib/ro_after_init.h"
#include "arch/x86_64/panic.h"

struct tss64 tss;
static uint64_t gdt[7] __attribute__((aligned(16))) __ro_after_init;

/* Until the stack region exists (memory issue), IST stacks live in .bss. */
static uint8_t ist_stacks[3][8192] __attribute__((aligned(16)));

void tss_set_ist(int ist, uint64_t top) { tss.ist[ist - 1] = top; }

void gdt_init(void) {
    /* Every code and data descriptor has its Accessed bit (type bit 0) set
     * already: the CPU sets it on the first load of a selector otherwise, a
     * write into the GDT, which is read-only after boot. From ring 3 that
     * write is a #PF on `mov ds, 0x1b`; on real hardware IRETQ/SYSRET into
     * ring 3 may do it too, a ring-0 fault. */
    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffULL; /* kernel code: L=1, DPL 0 */
    gdt[2] = 0x00cf93000000ffffULL; /* kernel data */
    gdt[3] = 0x00cff3000000ffffULL; /* user data: DPL 3 */
    gdt[4] = 0x00affb000000ffffULL; /* user code: L=1, DPL 3 */

    memset(&tss, 0, sizeof tss);
    /* An I/O map base past the limit means "no I/O bitmap": with IOPL 0 every
     * port access from ring 3 faults. */
    tss.iomap_base = sizeof tss;
    for (int i = 0; i < 3; i++) tss.ist[i] = (uint64_t)&ist_stacks[i][sizeof ist_stacks[i]];

    uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;

    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = { sizeof gdt - 1, (uint64_t)gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "mov %1, %%ds\n\tmov %1, %%es\n\tmov %1, %%ss\n\t"
        "xor %%eax, %%eax\n\tmov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
        "pushq %2\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "ltr %w3"
        :
        : "m"(ptr), "r"((uint64_t)GDT_KERNEL_DATA), "i"(GDT_KERNEL_CODE), "r"((uint16_t)GDT_TSS)
        : "rax", "memory");
    /* LTR wrote the busy bit (type 0x9 -> 0xB) while the GDT is still
     * writable; the sealed GDT must never need another CPU write. */
    if (gdt_sealable() != 0) panic("gdt: a descriptor would need a CPU write after the seal");
}

void gdt_table(const void **base, uint64_t *size) {
    *base = gdt;
    *size = sizeof gdt;
}

void gdt_load_alias(uint64_t va) {
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = { sizeof gdt - 1, va };
    __asm__ volatile("lgdt %0" ::"m"(ptr) : "memory");
}

/* 0 when no selector load, task-register use or privilege change can make
 * the CPU write the GDT: every present code/data descriptor is Accessed and
 * the TSS is busy (the CPU never clears that bit: there are no task switches). */
int gdt_sealable(void) {
    for (unsigned i = 1; i < GDT_TSS / 8; i++) {
        uint64_t d = gdt[i];
        int present = (d >> 47) & 1, code_data = (d >> 44) & 1;
        if (!present || !code_data) return -1;
        if (!((d >> 40) & 1)) return -1;                  /* Accessed */
    }
    uint64_t t = gdt[GDT_TSS / 8];
    if (((t >> 40) & 0xf) != 0xb || !((t >> 47) & 1)) return -1; /* busy 64-bit TSS, present */
    return 0;
}

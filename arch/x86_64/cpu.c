/* CPU identification and the protection bits every SECoS address space
 * relies on: NX (EFER.NXE), write protection in ring 0 (CR0.WP), and SMEP,
 * SMAP and UMIP when this CPU has them. */
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

struct cpu_info cpu_info;

void cpu_detect(void) {
    uint32_t a, b, c, d, max, maxext;
    cpuid(0, 0, &max, &b, &c, &d);
    memcpy(cpu_info.vendor, &b, 4);
    memcpy(cpu_info.vendor + 4, &d, 4);
    memcpy(cpu_info.vendor + 8, &c, 4);
    cpu_info.vendor[12] = '\0';
    if (max >= 1) {
        cpuid(1, 0, &a, &b, &c, &d);
        cpu_info.rdrand = !!(c & (1u << 30));
        cpu_info.pge = !!(d & (1u << 13));
    }
    if (max >= 7) {
        cpuid(7, 0, &a, &b, &c, &d);
        cpu_info.smep = !!(b & (1u << 7));
        cpu_info.rdseed = !!(b & (1u << 18));
        cpu_info.smap = !!(b & (1u << 20));
        cpu_info.umip = !!(c & (1u << 2));
    }
    cpuid(0x80000000, 0, &maxext, &b, &c, &d);
    if (maxext >= 0x80000001) {
        cpuid(0x80000001, 0, &a, &b, &c, &d);
        cpu_info.nx = !!(d & (1u << 20));
        cpu_info.pdpe1gb = !!(d & (1u << 26));
    }
    if (maxext >= 0x80000004) {
        uint32_t *brand = (uint32_t *)cpu_info.brand;
        for (uint32_t leaf = 0; leaf < 3; leaf++)
            cpuid(0x80000002 + leaf, 0, &brand[leaf * 4], &brand[leaf * 4 + 1], &brand[leaf * 4 + 2],
                  &brand[leaf * 4 + 3]);
        cpu_info.brand[48] = '\0';
    }
}

void cpu_enable_protections(void) {
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    write_cr0(read_cr0() | CR0_WP);
    uint64_t cr4 = read_cr4();
    if (cpu_info.smep) cr4 |= CR4_SMEP;
    if (cpu_info.smap) cr4 |= CR4_SMAP;
    if (cpu_info.umip) cr4 |= CR4_UMIP;
    write_cr4(cr4);
}

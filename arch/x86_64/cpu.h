/* Thin wrappers around privileged x86-64 instructions. */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H
#include <stdint.h>

/* The canonical halves of the 48-bit address space. */
#define USER_HALF_END     0x0000800000000000ULL /* first non-canonical address */
#define KERNEL_HALF_START 0xffff800000000000ULL

static inline void cpu_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* sti;hlt is atomic: an interrupt arriving between them still wakes the hlt. */
static inline void cpu_sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline uint64_t cpu_flags(void) { uint64_t f; __asm__ volatile("pushfq; popq %0" : "=r"(f)); return f; }
static inline uint64_t irq_save(void) { uint64_t f = cpu_flags(); cpu_cli(); return f; }
static inline void irq_restore(uint64_t f) { if (f & (1u << 9)) cpu_sti(); }

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d) {
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
/* Open / close user-page access for ring 0 under SMAP (invalid opcodes
 * without it: callers check CR4.SMAP first). */
static inline void cpu_stac(void) { __asm__ volatile("stac" ::: "memory", "cc"); }
static inline void cpu_clac(void) { __asm__ volatile("clac" ::: "memory", "cc"); }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

#define MSR_EFER 0xC0000080u
#define MSR_FS_BASE 0xC0000100u
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)
#define CR0_WP   (1u << 16)
#define CR4_MCE  (1u << 6)
#define CR4_PGE  (1u << 7)
#define CR4_UMIP (1u << 11)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)

/* CPU identity and the security-relevant features, filled by cpu_detect(). */
struct cpu_info {
    char vendor[13];
    char brand[49];
    int nx, smep, smap, umip, rdrand, rdseed, pdpe1gb, pge;
};
extern struct cpu_info cpu_info;
void cpu_detect(void);
void cpu_enable_protections(void);

#endif

#ifndef ARCH_X86_64_GDT_H
#define ARCH_X86_64_GDT_H
#include <stdint.h>

/* Selector order is fixed by SYSCALL/SYSRET: STAR base 0x10 makes SYSRET load
 * SS = 0x18|3 and CS = 0x20|3, so user data must sit just below user code. */
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_DATA   0x18
#define GDT_USER_CODE   0x20
#define GDT_TSS         0x28

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

/* The one TSS. Only rsp0 changes after boot (on every task switch), so it
 * is visible here for an inline store. */
struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
extern struct tss64 tss;

void gdt_init(void);
/* The table (for an alias mapping) and GDTR pointed at va, an alias of it
 * at the same offset in its page (the descriptors are not reloaded). */
void gdt_table(const void **base, uint64_t *size);
void gdt_load_alias(uint64_t va);
static inline void tss_set_rsp0(uint64_t rsp0) { tss.rsp[0] = rsp0; }
void tss_set_ist(int ist, uint64_t top);
/* 0 when the sealed (read-only) GDT can never need a CPU write. */
int gdt_sealable(void);

#endif

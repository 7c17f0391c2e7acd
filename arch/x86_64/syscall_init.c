#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"

#define MSR_STAR           0xC0000081u
#define MSR_LSTAR          0xC0000082u
#define MSR_FMASK          0xC0000084u
#define MSR_GS_BASE        0xC0000101u
#define MSR_KERNEL_GS_BASE 0xC0000102u

struct percpu percpu0;

extern void syscall_entry(void);
extern void isr_syscall_int80(void);

void syscall_init(void) {
    /* SYSCALL: CS = 0x08, SS = 0x10. SYSRET (64-bit): CS = 0x10+16 = 0x20|3,
     * SS = 0x10+8 = 0x18|3 - hence user data sits just below user code. */
    wrmsr(MSR_STAR, ((uint64_t)(GDT_KERNEL_DATA | 3) << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    /* Cleared on entry: IF (no interrupt before the stack switch), TF, DF,
     * AC (SMAP must stay on), NT, IOPL. */
    wrmsr(MSR_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14) | (3u << 12));
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)&percpu0);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    idt_set_gate(0x80, (uint64_t)isr_syscall_int80, 0, 3);
}


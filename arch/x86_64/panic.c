/* Panic and backtrace. The backtrace walks the RBP chain (the kernel keeps
 * frame pointers) and stops at the first frame pointer that is not a
 * plausible kernel stack address, so a corrupted stack cannot make the panic
 * path itself fault. The addresses are printed as linked (the KASLR slide
 * taken off), so they resolve with: addr2line -e build/kernel.elf ADDR */
#include "arch/x86_64/panic.h"
#include "lib/console_out.h"
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/cpu.h"
#include "lib/printf.h"
#include "secos/boot_info.h"
#include <stdarg.h>

extern char __kernel_start[];

/* An address in the image as the linker placed it. */
static uint64_t unslid(uint64_t a) { return a - ((uint64_t)__kernel_start - SECOS_KERNEL_LINK_BASE); }

void trapframe_dump(const struct trapframe *tf) {
    kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
    kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->rsp);
    kprintf("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", tf->r8, tf->r9, tf->r10, tf->r11);
    kprintf("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", tf->r12, tf->r13, tf->r14, tf->r15);
    kprintf("  rip=%016lx cs=%04lx rflags=%08lx ss=%04lx\n", tf->rip, tf->cs, tf->rflags, tf->ss);
    kprintf("  cr0=%016lx cr3=%016lx cr4=%016lx\n", read_cr0(), read_cr3(), read_cr4());
}

void backtrace_from(uint64_t rbp, uint64_t rip) {
    kprintf("[BACKTRACE] %#lx\n", unslid(rip));
    for (int depth = 0; depth < 24; depth++) {
        /* Only kernel-half, aligned frame pointers are followed. */
        if (rbp < 0xffff800000000000ULL || (rbp & 7) || rbp > 0xfffffffffffffff0ULL) break;
        const uint64_t *frame = (const uint64_t *)rbp;
        uint64_t ret = frame[1];
        if (ret < 0xffffffff80000000ULL) break;
        kprintf("[BACKTRACE] %#lx\n", unslid(ret));
        if (frame[0] <= rbp) break; /* stacks grow down: callers live higher */
        rbp = frame[0];
    }
}

static __attribute__((noreturn)) void halt_forever(void) {
    console_marker("[PANIC] system halted\n");
    for (;;) {
        cpu_cli();
        cpu_hlt();
    }
}

static void print_panic(const char *fmt, va_list ap) {
    char msg[256];
    kvsnprintf(msg, sizeof msg, fmt, ap);
    kprintf("\n[PANIC] %s\n", msg);
}

void panic_halt(const char *fmt, ...) {
    cpu_cli();
    va_list ap;
    va_start(ap, fmt);
    print_panic(fmt, ap);
    va_end(ap);
    halt_forever();
}

void panic(const char *fmt, ...) {
    cpu_cli();
    va_list ap;
    va_start(ap, fmt);
    print_panic(fmt, ap);
    va_end(ap);
    struct trapframe tf = {0};
    uint64_t rbp;
    __asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
    __asm__ volatile("mov %%rsp, %0" : "=r"(tf.rsp));
    tf.rbp = rbp;
    tf.rip = (uint64_t)__builtin_return_address(0);
    trapframe_dump(&tf);
    backtrace_from(rbp, tf.rip);
    halt_forever();
}

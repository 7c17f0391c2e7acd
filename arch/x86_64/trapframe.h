/* The register frame every interrupt, exception and (later) syscall entry
 * builds on the kernel stack. Field order = reverse push order in isr.asm. */
#ifndef ARCH_X86_64_TRAPFRAME_H
#define ARCH_X86_64_TRAPFRAME_H
#include <stdint.h>

struct trapframe {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

void interrupt_dispatch(struct trapframe *tf);

/* IRQ handlers (called with the IRQ line, after EOI bookkeeping is decided). */
typedef void (*irq_handler_fn)(struct trapframe *tf);
void irq_register(int irq, irq_handler_fn fn);

/* Lets a selftest provoke an exception and resume: if set for a vector, the
 * handler is called instead of the fatal path and its return value (1 =
 * handled) decides. */
typedef int (*exception_hook_fn)(struct trapframe *tf);
void exception_set_hook(int vector, exception_hook_fn fn);

void trapframe_dump(const struct trapframe *tf);
void backtrace_from(uint64_t rbp, uint64_t rip);

#endif

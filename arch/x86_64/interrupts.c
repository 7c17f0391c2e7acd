/* Common interrupt dispatch: exceptions are fatal in ring 0 (a clear [EXC]
 * line, registers, backtrace, then [PANIC]); IRQs go to their registered
 * handler and are acknowledged at the PIC. */
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/trap_hooks.h"
#include "lib/console_out.h"
#include "lib/ro_after_init.h"
#include "arch/x86_64/nmi.h"

static irq_handler_fn irq_handlers[16];
static exception_hook_fn exception_hooks[32];
uint64_t irq_counts[16];

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
    "reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
    "reserved 27", "#HV hypervisor injection", "#VC VMM communication", "#SX security",
    "reserved 31",
};

const char *exception_name(uint64_t vector) {
    return vector < 32 ? exception_names[vector] : "interrupt";
}

void irq_register(int irq, irq_handler_fn fn) { irq_handlers[irq] = fn; }
void exception_set_hook(int vector, exception_hook_fn fn) { exception_hooks[vector] = fn; }

/* Set once during boot, then sealed read-only with the IDT. The SYSCALL entry
 * (syscall_entry.asm) calls trap_syscall_handler directly: no wrapper on the
 * hot path. */
syscall_handler_fn trap_syscall_handler __ro_after_init;
user_return_fn trap_user_return_hook __ro_after_init;
static syscall_handler_fn trap_int80_handler __ro_after_init;
static bad_return_fn syscall_bad_return __ro_after_init;
static user_fault_fn user_fault_handler __ro_after_init;
static page_fault_fn page_fault_resolver __ro_after_init;
static stack_guard_fn stack_guard_check __ro_after_init;
uint64_t syscall_entry_counts[2];

/* Read by syscall_entry.asm. */
void syscall_entry_bad_return(struct trapframe *tf) __attribute__((noreturn));

void trap_set_syscall_handler(syscall_handler_fn fn, syscall_handler_fn int80, bad_return_fn bad_return) {
    trap_syscall_handler = fn;
    trap_int80_handler = int80;
    syscall_bad_return = bad_return;
}
void trap_set_user_return_hook(user_return_fn fn) { trap_user_return_hook = fn; }
void trap_set_user_fault_handler(user_fault_fn fn) { user_fault_handler = fn; }
void trap_set_page_fault_resolver(page_fault_fn fn) { page_fault_resolver = fn; }
void trap_set_stack_guard_check(stack_guard_fn fn) { stack_guard_check = fn; }

void syscall_entry_bad_return(struct trapframe *tf) { syscall_bad_return(tf); }

static int guard_hit(uint64_t addr) { return stack_guard_check ? stack_guard_check(addr) : -1; }

static void handle_exception(struct trapframe *tf) {
    if (exception_hooks[tf->vector] && exception_hooks[tf->vector](tf)) return;
    /* A fault in ring 3 is the process's problem, never the kernel's. */
    if ((tf->cs & 3) && user_fault_handler) {
        user_fault_handler(tf, tf->vector == 14 ? read_cr2() : 0);
        return;
    }
    uint64_t cr2 = read_cr2();
    if (tf->vector == 14 && page_fault_resolver && page_fault_resolver(cr2, tf->error)) return;
    /* A guard-page hit is reported before anything else touches the stack:
     * the handler may be running on the very stack that overflowed. */
    if ((tf->vector == 14 || tf->vector == 8) && guard_hit(cr2) >= 0) {
        kprintf("\n[EXC] %lu %s err=%#lx rip=%#lx cr2=%#lx\n", tf->vector, exception_name(tf->vector),
                tf->error, tf->rip, cr2);
        if (tf->vector == 8) { /* on IST1: safe to print more */
            trapframe_dump(tf);
            backtrace_from(tf->rbp, tf->rip);
        }
        panic_halt("kernel stack overflow (guard page %#lx hit, stack slot %d)", cr2, guard_hit(cr2));
    }
    kprintf("\n[EXC] %lu %s err=%#lx rip=%#lx cr2=%#lx\n", tf->vector, exception_name(tf->vector),
            tf->error, tf->rip, cr2);
    if (tf->vector == 14) {
        kprintf("[EXC] page fault: %s %s in %s mode%s\n",
                (tf->error & 1) ? "protection violation" : "not-present page",
                (tf->error & 16) ? "on instruction fetch" : (tf->error & 2) ? "on write" : "on read",
                (tf->error & 4) ? "user" : "kernel", (tf->error & 8) ? " (reserved bit set)" : "");
    }
    trapframe_dump(tf);
    backtrace_from(tf->rbp, tf->rip);
    if (tf->vector == 8) panic_halt("double fault (the kernel stack is likely exhausted)");
    panic_halt("unhandled %s in kernel mode at rip=%#lx", exception_name(tf->vector), tf->rip);
}

void interrupt_dispatch(struct trapframe *tf) {
    /* Not faults of the interrupted code: never a kill, never the hooks. */
    if (tf->vector == 2) {
        nmi_handle(tf);
        return;
    }
    if (tf->vector == 18) {
        mce_handle(tf);
        return;
    }
    if (tf->vector < 32) {
        handle_exception(tf);
        return;
    }
    if (tf->vector == 0x80) {
        syscall_entry_counts[0]++;
        trap_int80_handler(tf);
        /* iretq to a non-canonical rip faults in ring 0: an int $0x80 in
         * the last two bytes of the user half must kill, not panic. */
        if (tf->rip >= USER_HALF_END) syscall_bad_return(tf);
        return;
    }
    int irq = (int)tf->vector - IRQ_BASE;
    if (irq < 0 || irq >= 16) return;
    if (pic_is_spurious(irq)) return;
    irq_counts[irq]++;
    /* EOI first: a handler that switches tasks (later issues) must not leave
     * the PIC waiting. Interrupts stay off until iretq, so no nesting. */
    pic_eoi(irq);
    if (irq_handlers[irq]) irq_handlers[irq](tf);
}

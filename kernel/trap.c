#include "kernel/trap.h"
#include "kernel/proc.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/trapframe.h"
#include "mm/vmm.h"
#include "kernel/signal.h"

void trap_user_fault(struct trapframe *tf, uint64_t cr2) {
    /* Ring 3 always runs a user process; anything else is a kernel bug. */
    if (!current || current->is_kernel) panic("user-mode fault with no user process (vector %lu)", tf->vector);
    if (tf->vector == 14) {
        struct address_space *as = vmm_current();
        as->limit_hit = 0;
        if (vmm_handle_page_fault(cr2, tf->error)) return;
        current->term_signal = SIGSEGV;
        if (as->limit_hit) proc_kill_current("memory limit reached", tf, cr2, 128 + 14);
    }
    /* A Linux program gets the signal (a handler may catch it); the default
     * action is the same [KILL] line, with the signal as its end. */
    if (current->abi == PROC_ABI_LINUX) {
        int sig = signal_for_vector(tf->vector, tf->error);
        int code = tf->vector == 14 ? ((tf->error & 1) ? 2 : 1) : tf->vector == 13 ? SI_KERNEL : SI_FAULT;
        if (signal_fault(sig, code, cr2)) return; /* delivered on the way out (isr_return) */
        current->term_signal = sig;
        proc_kill_current(exception_name(tf->vector), tf, cr2, 128 + sig);
    }
    current->term_signal = signal_for_vector(tf->vector, tf->error);
    proc_kill_current(exception_name(tf->vector), tf, cr2, 128 + (int)tf->vector);
}

#include "kernel/trap.h"
#include "kernel/proc.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/trapframe.h"
#include "mm/vmm.h"

void trap_user_fault(struct trapframe *tf, uint64_t cr2) {
    /* Ring 3 always runs a user process; anything else is a kernel bug. */
    if (!current || current->is_kernel) panic("user-mode fault with no user process (vector %lu)", tf->vector);
    if (tf->vector == 14) {
        struct address_space *as = vmm_current();
        as->limit_hit = 0;
        if (vmm_handle_page_fault(cr2, tf->error)) return;
        if (as->limit_hit) proc_kill_current("memory limit reached", tf, cr2, 128 + 14);
    }
    proc_kill_current(exception_name(tf->vector), tf, cr2, 128 + (int)tf->vector);
}

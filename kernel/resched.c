/* Reschedule points for long system calls. Kernel code is never preempted,
 * so a call that loops over user-sized input (a 4 MiB console write, a
 * RAMFS write, munmap of a huge region) would hold the CPU, and the console
 * shell, for as long as it runs. Such loops call sched_resched_point()
 * between bounded chunks: once the caller's quantum is used up (the timer
 * counts it down in kernel mode too) the next READY task runs first.
 *
 * Only where the caller holds nothing across the switch but its own kernel
 * stack: a process killed (SIGKILL pending) ends right here, on its own
 * stack, instead of finishing a call of many chunks. */
#include "kernel/proc.h"
#include "kernel/signal.h"

void sched_resched_point(void) {
    if (!current || current->is_kernel) return;
    if (current->quantum == 0) schedule();
    if (current->sig.pending & SIG_BIT(SIGKILL)) proc_exit_signal(SIGKILL);
}

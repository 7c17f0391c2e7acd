/* Reschedule points for long system calls. Kernel code is never preempted,
 * so a call that loops over user-sized input (a 4 MiB console write, a
 * RAMFS write, munmap of a huge region) would hold the CPU, and the console
 * shell, for as long as it runs. Such loops call sched_resched_point()
 * between bounded chunks: once the caller's quantum is used up (the timer
 * counts it down in kernel mode too) the next READY task runs first.
 *
 * Only where the caller holds nothing across the switch but its own kernel
 * stack: a process killed while switched out here is torn down by
 * proc_kill and never resumes. */
#include "kernel/proc.h"

void sched_resched_point(void) {
    if (current && !current->is_kernel && current->quantum == 0) schedule();
}

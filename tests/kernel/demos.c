/* Build-time demos (the seed's milestones), off by default:
 *   make CFLAGS_EXTRA=-DM7_RING3_DEMO=1   two ring-3 processes alternating through SYS_YIELD
 *   make CFLAGS_EXTRA=-DM8_SCHED_DEMO=1   CPU-bound processes preempted, exiting and reaped
 * Each prints [M7]/[M8] lines that tools/selftest.sh checks, including the
 * free-frame count before and after (it must not change). */
#include "tests/kernel/demos.h"
#include "kernel/proc.h"
#include "lib/console_out.h"
#include "mm/pmm.h"

#ifndef M7_RING3_DEMO
#define M7_RING3_DEMO 0
#endif
#ifndef M8_SCHED_DEMO
#define M8_SCHED_DEMO 0
#endif

/* The kernel console task: pid 1, or another once init runs (proc_spawn_init). */
#define SHELL_PID proc_kernel_shell_pid()

static int spawn_or_report(const char *tag, char **argv, int argc) {
    const char *why = "";
    int pid = proc_spawn(argv[0], argc, argv, SHELL_PID, &why);
    if (pid < 0) kprintf("[%s] cannot start %s: %s\n", tag, argv[0], why);
    return pid;
}

static void wait_all(const char *tag, int n) {
    for (int i = 0; i < n; i++) {
        int status;
        int pid = proc_wait(SHELL_PID, -1, &status, 1);
        kprintf("[%s] reaped pid=%d status=%d\n", tag, pid, status);
    }
}

void demos_run(void) {
    if (M7_RING3_DEMO) {
        uint64_t free0 = pmm_free_frames(), sw0 = sched_stats.switches;
        char *a[] = { "yield", "A", "5", 0 }, *b[] = { "yield", "B", "5", 0 };
        int n = (spawn_or_report("M7", a, 3) > 0) + (spawn_or_report("M7", b, 3) > 0);
        wait_all("M7", n);
        kprintf("[M7] ring3 demo done: switches=%lu free frames %lu -> %lu\n", sched_stats.switches - sw0, free0,
                pmm_free_frames());
    }
    if (M8_SCHED_DEMO) {
        enum { N = 3 };
        uint64_t free0 = pmm_free_frames(), pre0 = sched_stats.preemptions;
        char *argv[] = { "spin", "1", 0 };
        int n = 0;
        for (int i = 0; i < N; i++) n += spawn_or_report("M8", argv, 2) > 0;
        wait_all("M8", n);
        kprintf("[M8] sched demo done: %d processes, preemptions=%lu free frames %lu -> %lu\n", n,
                sched_stats.preemptions - pre0, free0, pmm_free_frames());
    }
}

/* Process shell commands: elfload, elfunload, ps, run, kill, sched. */
#include "console/shell.h"
#include "lib/console_out.h"
#include "kernel/proc.h"
#include "kernel/input.h"
#include "kernel/syscall.h"
#include "arch/x86_64/trap_hooks.h"
#include "lib/string.h"
#include "lib/strerror.h"
#include "fs/fd.h"
#include "tty/tty.h"
#include "secos/errno.h"

/* The kernel console task: pid 1, or another once init runs (proc_spawn_init). */
#define SHELL_PID proc_kernel_shell_pid()

static int last_loaded = -1;

static int start(int argc, char **argv) {
    const char *why = "";
    int pid = proc_spawn(argv[0], argc, argv, SHELL_PID, &why);
    if (pid < 0) {
        kprintf("error: cannot start %pE: %s (%s, %d)\n", argv[0], why[0] ? why : secos_strerror(pid), secos_errno_name(pid), pid);
        return -1;
    }
    return pid;
}

/* Zombie children of the shell that nobody waits for (elfload). */
void shell_reap_children(void) {
    int status;
    for (;;) {
        int pid = proc_wait(SHELL_PID, -1, &status, 0);
        if (pid <= 0) return;
        kprintf("[EXIT] pid=%d status=%d\n", pid, status);
    }
}

static int cmd_elfload(int argc, char **argv) {
    char *def[] = { "hello", 0 };
    int pid = start(argc > 1 ? argc - 1 : 1, argc > 1 ? argv + 1 : def);
    if (pid < 0) return -1;
    last_loaded = pid;
    kprintf("elfload: started %s as pid %d\n", argc > 1 ? argv[1] : "hello", pid);
    return 0;
}
SHELL_COMMAND(elfload, "elfload", "elfload [name] [args]", "load a program and start it in the background (default: hello)", cmd_elfload);

static int cmd_elfunload(int argc, char **argv) {
    (void)argc; (void)argv;
    if (last_loaded < 0) {
        kprintf("elfunload: nothing loaded\n");
        return -1;
    }
    int pid = last_loaded, status;
    last_loaded = -1;
    int r = proc_kill(pid);
    if (r == -ESRCH) kprintf("elfunload: pid %d has already exited\n", pid);
    if (proc_wait(SHELL_PID, pid, &status, 0) == pid) kprintf("elfunload: pid %d destroyed (status %d)\n", pid, status);
    return 0;
}
SHELL_COMMAND(elfunload, "elfunload", "elfunload", "destroy the process last started with elfload", cmd_elfunload);

static const char *state_name(enum proc_state s) {
    switch (s) {
    case PROC_READY: return "READY";
    case PROC_RUNNING: return "RUNNING";
    case PROC_BLOCKED: return "BLOCKED";
    case PROC_ZOMBIE: return "ZOMBIE";
    case PROC_STOPPED: return "STOPPED";
    default: return "?";
    }
}

static int cmd_ps(int argc, char **argv) {
    (void)argc; (void)argv;
    kprintf("  PID  PPID STATE     TICKS  PAGES FDS NAME\n");
    for (int pid = 0;;) { /* in pid order, not table order */
        struct proc *best = 0;
        for (int i = 0; i < PROC_MAX; i++) {
            struct proc *p = &proc_table[i];
            if (p->state == PROC_UNUSED || p->pid < pid) continue;
            if (!best || p->pid < best->pid) best = p;
        }
        if (!best) break;
        uint64_t pages = best->as ? best->as->owned_frames : 0;
        kprintf("%5d %5d %-8s %6lu %6lu %3d %pE%s\n", best->pid, best->parent, state_name(best->state), best->ticks,
                pages, files_open_count(best), best->name, best->is_kernel ? " [kernel]" : "");
        pid = best->pid + 1;
    }
    return 0;
}
SHELL_COMMAND(ps, "ps", "ps", "list processes: pid, parent, state, ticks, pages, open files, name", cmd_ps);

static void interrupt_shell(void) { proc_interrupt(SHELL_PID); }

int shell_start_program(int argc, char **argv) {
    proc_by_pid(SHELL_PID)->interrupted = 0; /* a Ctrl-C from before does not count */
    return start(argc, argv);
}

int shell_wait_foreground(int pid) {
    int status = 0;
    /* The program's session owns the terminal while it runs: its input goes
     * through the line discipline to it, and Ctrl-C (VINTR, from the serial
     * line or the keyboard) kills it instead of reaching it. */
    tty_console_lend(pid, interrupt_shell);
    while (proc_wait(SHELL_PID, pid, &status, PROC_WAIT_INTERRUPTIBLE) == -EINTR) {
        kprintf("^C\nrun: interrupted (Ctrl-C): killing pid %d\n", pid);
        if (proc_kill(pid) != 0) kprintf("run: pid %d had already exited\n", pid);
    }
    tty_console_reclaim();
    kprintf("[EXIT] pid=%d status=%d\n", pid, status);
    return status == 0 ? 0 : -1;
}

int shell_wait_session(int pid) {
    int status = 0;
    tty_console_lend(pid, 0);   /* Ctrl-C is the session's: SIGINT to its foreground group */
    proc_wait(SHELL_PID, pid, &status, 1);
    tty_console_reclaim();
    kprintf("[EXIT] pid=%d status=%d\n", pid, status);
    return status == 0 ? 0 : -1;
}

static int cmd_run(int argc, char **argv) {
    if (argc < 2) {
        kprintf("usage: run <name> [args...]\n");
        return -1;
    }
    int pid = shell_start_program(argc - 1, argv + 1);
    return pid < 0 ? -1 : shell_wait_foreground(pid);
}
SHELL_COMMAND(run, "run", "run <name> [args...]", "start a program, wait for it and print its exit status", cmd_run);

static int cmd_kill(int argc, char **argv) {
    unsigned long long pid;
    if (argc != 2 || parse_u64(argv[1], &pid) || pid > 1000000000) {
        kprintf("usage: kill <pid>\n");
        return -1;
    }
    int r = proc_kill((int)pid);
    if (r == -ESRCH) kprintf("kill: no process %llu\n", pid);
    else if (r == -EPERM) kprintf("kill: pid %llu is a kernel task\n", pid);
    return r ? -1 : 0;
}
SHELL_COMMAND(kill, "kill", "kill <pid>", "terminate a process", cmd_kill);

static int cmd_sched(int argc, char **argv) {
    (void)argc; (void)argv;
    kprintf("switches:    %lu\n", sched_stats.switches);
    kprintf("preemptions: %lu\n", sched_stats.preemptions);
    kprintf("yields:      %lu\n", sched_stats.yields);
    kprintf("idle ticks:  %lu\n", sched_stats.idle_ticks);
    kprintf("syscalls:    %lu via INT 0x80, %lu via SYSCALL\n", syscall_entry_counts[0], syscall_entry_counts[1]);
    kprintf("processes:   %d of %d slots in use\n", proc_count(), PROC_MAX);
    return 0;
}
SHELL_COMMAND(sched, "sched", "sched", "scheduler counters: switches, preemptions, yields, syscalls", cmd_sched);

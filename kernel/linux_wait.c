/* wait4 and waitid with Linux's selectors, options and status encoding.
 * SECoS's own SYS_wait (kernel/syscall.c) keeps its documented encoding;
 * these report what a Linux parent decodes: exit code << 8 for an exit, the
 * signal number for a process that was killed (struct proc.term_signal),
 * 0x7f | sig << 8 for a stop (WUNTRACED), 0xffff for a continue (WCONTINUED),
 * each stop and continue once (struct proc.job_report, kernel/signal.c). */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "arch/x86_64/cpu.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"

#define WNOHANG     0x00000001u
#define WUNTRACED   0x00000002u /* waitid's WSTOPPED */
#define WEXITED     0x00000004u /* waitid only: wait4 always waits for exits */
#define WCONTINUED  0x00000008u
#define WNOWAIT     0x01000000u /* waitid only: leave the child waitable */
#define __WNOTHREAD 0x20000000u
#define __WALL      0x40000000u
#define __WCLONE    0x80000000u
#define WAIT4_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)
#define WAITID_OPTIONS (WAIT4_OPTIONS | WEXITED | WNOWAIT)
#define LINUX_RUSAGE_SIZE 144 /* struct rusage: two timevals and fourteen longs */
#define P_ALL  0
#define P_PID  1
#define P_PGID 2

/* pid -1: any child; > 0: that child; 0: a child in the caller's process
 * group; < -1: a child in group -pid. Every child is a SIGCHLD child, so
 * __WCLONE without __WALL matches none (as on Linux). */
static int wait_matches(const struct proc *p, const struct proc *self, int pid, uint32_t options) {
    if (p->state == PROC_UNUSED || p->parent != self->pid) return 0;
    if ((options & __WCLONE) && !(options & __WALL)) return 0;
    if (pid == -1) return 1;
    if (pid > 0) return p->pid == pid;
    if (pid == 0) return p->pgid == self->pgid;
    return p->pgid == -pid;
}

struct wait_result { int pid, status, code, si_status; };

/* What p has to report under options, into *r: 1, or 0 for nothing. */
static int reportable(struct proc *p, uint32_t options, struct wait_result *r) {
    r->pid = p->pid;
    if (p->state == PROC_ZOMBIE) {
        if (!(options & WEXITED)) return 0;
        r->code = p->term_signal ? CLD_KILLED : CLD_EXITED;
        r->si_status = p->term_signal ? p->term_signal : (p->exit_status & 0xff);
        r->status = p->term_signal ? (p->term_signal & 0x7f) : (p->exit_status & 0xff) << 8;
        if (!(options & WNOWAIT)) proc_free_slot(p);
        return 1;
    }
    if ((options & WUNTRACED) && p->job_report == PROC_JOB_STOPPED) {
        r->code = CLD_STOPPED;
        r->si_status = p->stop_sig;
        r->status = 0x7f | (p->stop_sig << 8);
    } else if ((options & WCONTINUED) && p->job_report == PROC_JOB_CONTINUED) {
        r->code = CLD_CONTINUED;
        r->si_status = SIGCONT;
        r->status = 0xffff;
    } else {
        return 0;
    }
    if (!(options & WNOWAIT)) p->job_report = PROC_JOB_NONE;
    return 1;
}

/* The child's pid with *r filled, 0 (WNOHANG, nothing yet), -ECHILD or -EINTR. */
static int wait_for(int pid, uint32_t options, struct wait_result *r) {
    struct proc *self = current;
    int found = 0;
    uint64_t f = irq_save();
    for (;;) {
        int have_child = 0;
        for (int i = 0; i < proc_slots_high && !found; i++) {
            struct proc *p = &proc_table[i];
            if (!wait_matches(p, self, pid, options)) continue;
            have_child = 1;
            if (reportable(p, options, r)) found = r->pid;
        }
        if (found) break;
        if (!have_child) { found = -ECHILD; break; }
        if (options & WNOHANG) break;
        if (self->interrupted) { /* the signal layer's proc_interrupt() */
            self->interrupted = 0;
            found = -EINTR;
            break;
        }
        /* Checked after the scan, as Linux: the SIGCHLD that comes with a
         * child's exit or stop does not hide the report itself. */
        if (proc_signal_pending(self)) { found = signal_syscall_interrupted(); break; } /* back to ring 3 */
        sleep_on(self);
    }
    irq_restore(f);
    return found;
}

static int zero_rusage(uint64_t at) {
    uint8_t zero[LINUX_RUSAGE_SIZE];
    memset(zero, 0, sizeof zero);
    return copy_to_user(at, zero, sizeof zero);
}

/* Options are an int: the upper half of the register is not looked at. */
long linux_wait4(SYSARGS) {
    UNUSED_ARGS();
    int pid = (int)a0;
    uint32_t options = (uint32_t)a2;
    if (options & ~WAIT4_OPTIONS) return -EINVAL;
    if (pid == (int)0x80000000) return -ESRCH; /* -INT_MIN does not exist */
    /* Check the pointers before reaping, so a bad one loses no child. */
    if (a1 && !user_range_valid(a1, sizeof(int), 1)) return -EFAULT;
    if (a3 && !user_range_valid(a3, LINUX_RUSAGE_SIZE, 1)) return -EFAULT;
    struct wait_result r;
    int found = wait_for(pid, options | WEXITED, &r);
    if (found <= 0) return found;
    if (a1 && copy_to_user(a1, &r.status, sizeof r.status)) return -EFAULT;
    if (a3 && zero_rusage(a3)) return -EFAULT;
    return found;
}

/* The part of siginfo_t waitid fills (the rest of its 128 bytes is zero). */
struct waitid_info { int32_t signo, err, code, pad; int32_t pid; uint32_t uid; int32_t status; };

/* waitid(idtype, id, infop, options, rusage): 0, with infop all zero when
 * WNOHANG found nothing (as Linux). */
long linux_waitid(SYSARGS) {
    UNUSED_ARGS();
    uint32_t options = (uint32_t)a3;
    int pid;
    if ((options & ~WAITID_OPTIONS) || !(options & (WEXITED | WUNTRACED | WCONTINUED))) return -EINVAL;
    switch (a0) {
    case P_ALL: pid = -1; break;
    case P_PID:
        if ((int)a1 <= 0) return -EINVAL;
        pid = (int)a1;
        break;
    case P_PGID:
        if ((int)a1 < 0) return -EINVAL;
        pid = (int)a1 ? -(int)a1 : 0;
        break;
    default: return -EINVAL;
    }
    uint8_t info[128];
    if (a2 && !user_range_valid(a2, sizeof info, 1)) return -EFAULT;
    if (a4 && !user_range_valid(a4, LINUX_RUSAGE_SIZE, 1)) return -EFAULT;
    struct wait_result r;
    int found = wait_for(pid, options, &r);
    if (found < 0) return found;
    memset(info, 0, sizeof info);
    if (found) {
        struct waitid_info w = { SIGCHLD, 0, r.code, 0, r.pid, 0, r.si_status };
        memcpy(info, &w, sizeof w);
    }
    if (a2 && copy_to_user(a2, info, sizeof info)) return -EFAULT;
    if (a4 && zero_rusage(a4)) return -EFAULT;
    return 0;
}

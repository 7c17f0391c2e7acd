/* wait4 with Linux's selectors and status encoding. SECoS's own SYS_wait
 * (kernel/syscall.c) keeps its documented encoding; this one reports what a
 * Linux parent decodes: exit code << 8 for an exit, the signal number for a
 * process that was killed (struct proc.term_signal). No process is ever
 * stopped or continued, so WUNTRACED and WCONTINUED are accepted and never
 * match. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "arch/x86_64/cpu.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"

#define WNOHANG     0x00000001u
#define WUNTRACED   0x00000002u
#define WCONTINUED  0x00000008u
#define __WNOTHREAD 0x20000000u
#define __WALL      0x40000000u
#define WAIT_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL)
#define LINUX_RUSAGE_SIZE 144 /* struct rusage: two timevals and fourteen longs */

/* pid -1: any child; > 0: that child; 0: a child in the caller's process
 * group; < -1: a child in group -pid. */
static int wait_matches(const struct proc *p, const struct proc *self, int pid) {
    if (p->state == PROC_UNUSED || p->parent != self->pid) return 0;
    if (pid == -1) return 1;
    if (pid > 0) return p->pid == pid;
    if (pid == 0) return p->pgid == self->pgid;
    return p->pgid == -pid;
}

static int linux_wait_status(const struct proc *p) {
    return p->term_signal ? (p->term_signal & 0x7f) : (p->exit_status & 0xff) << 8;
}

long linux_wait4(SYSARGS) {
    UNUSED_ARGS();
    int pid = (int)a0;
    if ((uint64_t)(uint32_t)a2 != a2 || ((uint32_t)a2 & ~WAIT_OPTIONS)) return -EINVAL;
    if (pid == (int)0x80000000) return -ESRCH; /* -INT_MIN does not exist */
    /* Check the pointers before reaping, so a bad one loses no child. */
    if (a1 && !user_range_valid(a1, sizeof(int), 1)) return -EFAULT;
    if (a3 && !user_range_valid(a3, LINUX_RUSAGE_SIZE, 1)) return -EFAULT;
    struct proc *self = current;
    int found = 0, status = 0;
    uint64_t f = irq_save();
    for (;;) {
        int have_child = 0;
        for (int i = 0; i < PROC_MAX && !found; i++) {
            struct proc *p = &proc_table[i];
            if (!wait_matches(p, self, pid)) continue;
            have_child = 1;
            if (p->state != PROC_ZOMBIE) continue;
            found = p->pid;
            status = linux_wait_status(p);
            proc_free_slot(p);
        }
        if (found) break;
        if (!have_child) { found = -ECHILD; break; }
        if (a2 & WNOHANG) break;
        if (self->interrupted) { /* the signal layer's proc_interrupt() */
            self->interrupted = 0;
            found = -EINTR;
            break;
        }
        if (sleep_on(self) < 0) { found = -EINTR; break; } /* a signal: back to ring 3 to take it */
    }
    irq_restore(f);
    if (found <= 0) return found;
    if (a1 && copy_to_user(a1, &status, sizeof status)) return -EFAULT;
    if (a3) {
        uint8_t zero[LINUX_RUSAGE_SIZE];
        memset(zero, 0, sizeof zero);
        if (copy_to_user(a3, zero, sizeof zero)) return -EFAULT;
    }
    return found;
}

/* ITIMER_REAL per process (kernel/itimer.h). Times are timer ticks
 * (TIMER_HZ per second); a timeval is rounded up to whole ticks, as Linux
 * rounds up to its jiffies, so a timer never fires early. ITIMER_VIRTUAL and
 * ITIMER_PROF (CPU-time timers) are not kept: -EINVAL, said plainly rather
 * than armed and never fired.
 *
 * Invariant: next_due is 0 or at most the earliest alarm_due of any process
 * (it may be earlier: a timer was cancelled), so a tick before next_due
 * has nothing to do. */
#include "kernel/itimer.h"
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/time.h"
#include "mm/usercopy.h"
#include "secos/errno.h"

#define ITIMER_REAL 0
#define USEC_PER_TICK (1000000 / TIMER_HZ)

static uint64_t next_due;

void itimer_tick(uint64_t now) {
    if (!next_due || now < next_due) return;
    uint64_t earliest = 0;
    for (int i = 0; i < proc_slots_high; i++) {
        struct proc *p = &proc_table[i];
        if (!p->alarm_due || p->state == PROC_UNUSED || p->state == PROC_ZOMBIE) continue;
        if (p->alarm_due <= now) {
            signal_send(p, SIGALRM, SI_KERNEL, 0, 0);
            p->alarm_due = p->alarm_every ? now + p->alarm_every : 0;
        }
        if (p->alarm_due && (!earliest || p->alarm_due < earliest)) earliest = p->alarm_due;
    }
    next_due = earliest;
}

/* Arms (due 0: disarms) the current process's timer. */
static void arm(uint64_t due, uint64_t every) {
    uint64_t f = irq_save();
    current->alarm_due = due;
    current->alarm_every = every;
    if (due && (!next_due || due < next_due)) next_due = due;
    irq_restore(f);
}

static uint64_t left(const struct proc *p, uint64_t now) {
    return p->alarm_due > now ? p->alarm_due - now : (p->alarm_due ? 1 : 0);
}

long linux_alarm(SYSARGS) {
    UNUSED_ARGS();
    uint64_t now = timer_ticks();
    uint64_t rest = left(current, now);
    uint32_t sec = (uint32_t)a0;
    arm(sec ? now + (uint64_t)sec * TIMER_HZ : 0, 0);
    /* Seconds that were left, rounded (Linux: a pending alarm is at least 1). */
    uint64_t s = (rest + TIMER_HZ / 2) / TIMER_HZ;
    return (long)(rest && !s ? 1 : s);
}

struct linux_timeval { int64_t sec, usec; };
struct linux_itimerval { struct linux_timeval interval, value; };

static int to_ticks(const struct linux_timeval *tv, uint64_t *out) {
    if (tv->sec < 0 || tv->usec < 0 || tv->usec > 999999) return -EINVAL;
    if ((uint64_t)tv->sec > (UINT64_MAX / 4) / TIMER_HZ) return -EINVAL;
    *out = (uint64_t)tv->sec * TIMER_HZ + ((uint64_t)tv->usec + USEC_PER_TICK - 1) / USEC_PER_TICK;
    return 0;
}

static void from_ticks(uint64_t t, struct linux_timeval *tv) {
    tv->sec = (int64_t)(t / TIMER_HZ);
    tv->usec = (int64_t)(t % TIMER_HZ * USEC_PER_TICK);
}

static void current_value(struct linux_itimerval *v) {
    uint64_t f = irq_save();
    from_ticks(left(current, timer_ticks()), &v->value);
    from_ticks(current->alarm_every, &v->interval);
    irq_restore(f);
}

long linux_getitimer(SYSARGS) {
    UNUSED_ARGS();
    if (a0 != ITIMER_REAL) return -EINVAL;
    struct linux_itimerval v;
    current_value(&v);
    return copy_to_user(a1, &v, sizeof v) ? -EFAULT : 0;
}

long linux_setitimer(SYSARGS) {
    UNUSED_ARGS();
    if (a0 != ITIMER_REAL) return -EINVAL;
    struct linux_itimerval nv, old;
    if (a1 && copy_from_user(&nv, a1, sizeof nv)) return -EFAULT;
    uint64_t value = 0, every = 0;
    if (a1) {
        int e = to_ticks(&nv.value, &value);
        if (!e) e = to_ticks(&nv.interval, &every);
        if (e) return e;
    }
    current_value(&old);
    if (a2 && copy_to_user(a2, &old, sizeof old)) return -EFAULT;
    arm(value ? timer_ticks() + value : 0, value ? every : 0);
    return 0;
}

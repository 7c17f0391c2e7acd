/* Round-robin scheduler. Kernel code is not preempted: the timer only takes
 * the CPU away from code running in ring 3 (after SCHED_QUANTUM_TICKS), and
 * kernel tasks give it up by blocking. Every scheduler entry point runs with
 * interrupts off, which on one CPU is all the locking the run queue needs. */
#include "kernel/proc.h"
#include "kernel/itimer.h"
#include "lib/console_out.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/time.h"
#include "kernel/syscall.h"
#include "kernel/signal.h"
#include "secos/errno.h"

struct proc *current;
struct proc *idle_proc;
struct sched_stats sched_stats;

void context_switch(uint64_t *save_rsp, uint64_t new_rsp);

void sched_make_ready(struct proc *p) {
    uint64_t f = irq_save();
    if (p->state != PROC_ZOMBIE && p->state != PROC_UNUSED) p->state = PROC_READY;
    irq_restore(f);
}

/* The next READY task after prev in table order (round robin), idle excluded. */
static struct proc *pick_next(struct proc *prev) {
    int start = (int)(prev - proc_table);
    for (int i = 1; i <= PROC_MAX; i++) {
        struct proc *p = &proc_table[(start + i) % PROC_MAX];
        if (p->state == PROC_READY && p != idle_proc) return p;
    }
    return 0;
}

void schedule(void) {
    uint64_t f = irq_save();
    struct proc *prev = current;
    struct proc *next = pick_next(prev);
    if (!next) {
        if (prev->state == PROC_RUNNING || prev->state == PROC_READY) {
            prev->state = PROC_RUNNING; /* nobody else wants the CPU: a fresh quantum */
            prev->quantum = SCHED_QUANTUM_TICKS;
            irq_restore(f);
            return;
        }
        next = idle_proc;
    }
    if (prev->state == PROC_RUNNING) prev->state = PROC_READY;
    next->state = PROC_RUNNING;
    next->quantum = SCHED_QUANTUM_TICKS;
    if (next != prev) {
        sched_stats.switches++;
        if (!prev->is_kernel) fpu_save(&prev->fpu);
        if (!next->is_kernel) fpu_restore(&next->fpu);
        cpu_set_kernel_stack(next->kstack.top);
        struct address_space *as = next->as ? next->as : &kernel_space;
        if (as != vmm_current()) vmm_activate(as);
        current = next;
        /* Linux-personality tasks carry a TLS base and their own table;
         * between SECoS tasks and kernel threads (FS base always 0, the
         * SECoS table) nothing changes and the FS reload is skipped. */
        if (prev->abi | next->abi) {
            percpu0.fs_base = next->fs_base;
            percpu0.fs_reload = next->fs_base | prev->fs_base;
            syscall_activate(next->abi);
        } else {
            percpu0.fs_reload = 0;
        }
        percpu0.user_work = next->user_work;
        context_switch(&prev->ctx_rsp, next->ctx_rsp);
    }
    irq_restore(f);
}

void sched_yield(void) {
    sched_stats.yields++;
    schedule();
}

void proc_update_user_work(struct proc *p) {
    p->user_work = !p->is_kernel && proc_user_work(p);
    if (p == current) percpu0.user_work = p->user_work;
}

/* A signal wakes a user process from any sleep; kernel tasks get none. */
static int interrupted(const struct proc *p) { return !p->is_kernel && proc_signal_pending(p); }

int sleep_on(const void *chan) {
    if (!current) { /* before proc_init: plain wait for an interrupt */
        cpu_sti_hlt();
        cpu_cli();
        return 0;
    }
    uint64_t f = irq_save();
    if (interrupted(current)) {
        irq_restore(f);
        return signal_syscall_interrupted();
    }
    current->wait_chan = chan;
    current->state = PROC_BLOCKED;
    schedule();
    current->wait_chan = 0;
    int r = interrupted(current) ? signal_syscall_interrupted() : 0;
    irq_restore(f);
    return r;
}

void wakeup(const void *chan) {
    uint64_t f = irq_save();
    for (int i = 0; i < proc_slots_high; i++) {
        struct proc *p = &proc_table[i];
        if (p->state == PROC_BLOCKED && p->wait_chan == chan) p->state = PROC_READY;
    }
    irq_restore(f);
}

void sleep_on_device(const void *chan, uint64_t deadline) {
    if (!current) { /* before proc_init: the next interrupt (the tick at worst) */
        cpu_sti_hlt();
        cpu_cli();
        return;
    }
    uint64_t f = irq_save();
    if (timer_ticks() < deadline) {
        current->wake_tick = deadline;
        current->wait_chan = chan;
        current->state = PROC_BLOCKED;
        schedule();
        current->wake_tick = 0;
        current->wait_chan = 0;
    }
    irq_restore(f);
}

int sleep_on_until(const void *chan, uint64_t deadline) {
    uint64_t f = irq_save();
    current->wake_tick = deadline;   /* sched_tick makes it READY at the deadline */
    int r = sleep_on(chan);
    current->wake_tick = 0;
    irq_restore(f);
    return r;
}

int sched_sleep_ms(uint64_t ms) {
    if (!current) {
        timer_sleep_ms(ms);
        return 0;
    }
    uint64_t f = irq_save();
    int r = 0;
    current->wake_tick = timer_ticks() + (ms * TIMER_HZ + 999) / 1000;
    while (timer_ticks() < current->wake_tick) {
        if (interrupted(current)) { r = signal_syscall_interrupted(); break; }
        current->state = PROC_BLOCKED;
        current->wait_chan = &current->wake_tick;
        schedule();
    }
    current->wake_tick = 0;
    current->wait_chan = 0;
    irq_restore(f);
    return r;
}

/* Timer IRQ, interrupts off. */
void sched_tick(struct trapframe *tf) {
    if (!current) return;
    current->ticks++;
    if (current == idle_proc) sched_stats.idle_ticks++;
    uint64_t now = timer_ticks();
    for (int i = 0; i < proc_slots_high; i++) {
        struct proc *p = &proc_table[i];
        if (p->state == PROC_BLOCKED && p->wake_tick && p->wake_tick <= now) p->state = PROC_READY;
    }
    itimer_tick(now);
    /* The quantum runs down in kernel mode too, so a long system call sees
     * it at its reschedule points (sched_resched_point); only ring-3 code is
     * preempted right here. */
    if (current->quantum) current->quantum--;
    if ((tf->cs & 3) && current->quantum == 0) {
        sched_stats.preemptions++;
        schedule();
    }
}

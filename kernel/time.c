#include "kernel/time.h"
#include "kernel/proc.h"
#include "arch/x86_64/cpu.h"

uint64_t boot_tsc;
static volatile uint64_t ticks;

void time_tick(struct trapframe *tf) {
    ticks++;
    sched_tick(tf); /* may switch tasks: the interrupt is already acknowledged */
}

uint64_t timer_ticks(void) { return ticks; }
uint64_t timer_uptime_ms(void) { return ticks * 1000 / TIMER_HZ; }

void timer_sleep_ms(uint64_t ms) {
    uint64_t end = ticks + (ms * TIMER_HZ + 999) / 1000;
    while (ticks < end) cpu_sti_hlt();
}

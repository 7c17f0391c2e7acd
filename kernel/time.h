/* Kernel time: one tick counter advanced by whichever timer device drives
 * the tick (the PIT today, the LAPIC timer later), which calls time_tick()
 * from its interrupt handler. Everything above reads time only here. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H
#include <stdint.h>

#define TIMER_HZ 1000

struct trapframe;
/* The timer interrupt: counts the tick and lets the scheduler preempt. */
void time_tick(struct trapframe *tf);

/* The TSC when kernel_main began (printed as BOOT_TSC for boot-time figures). */
extern uint64_t boot_tsc;

uint64_t timer_ticks(void);
uint64_t timer_uptime_ms(void);
void timer_sleep_ms(uint64_t ms);      /* busy-waits with hlt; interrupts must be on */

/* Wall-clock time for CLOCK_REALTIME: set once at boot from the RTC. */
void time_set_unix_seconds(uint64_t now);
uint64_t time_unix_ms(void);
uint64_t time_civil_to_unix(unsigned year, unsigned month, unsigned day, unsigned h, unsigned m, unsigned s);

#endif

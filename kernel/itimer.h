/* The real-time interval timer of each process: alarm(2), setitimer(2) and
 * getitimer(2) with ITIMER_REAL. SIGALRM is sent from the timer tick; the
 * tick looks at the process table only when the earliest deadline is due. */
#ifndef KERNEL_ITIMER_H
#define KERNEL_ITIMER_H
#include <stdint.h>

/* Timer IRQ, interrupts off: sends every SIGALRM due by tick now. */
void itimer_tick(uint64_t now);

#endif

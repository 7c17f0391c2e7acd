#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H

/* Channel 0, periodic at TIMER_HZ (kernel/time.h), on IRQ0: drives time_tick. */
void pit_init(void);

#endif

#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H
#include <stdint.h>

#define TIMER_HZ 1000

void pit_init(void);                  /* channel 0, periodic at TIMER_HZ, on IRQ0 */
uint64_t timer_ticks(void);
uint64_t timer_uptime_ms(void);
void timer_sleep_ms(uint64_t ms);      /* blocks with hlt; interrupts must be on */

#endif

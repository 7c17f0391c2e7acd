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

/* Wall-clock time: the Unix time (ms) at tick 0, set once at boot from the
 * RTC by whoever reads it (init); 0 until then (1970, as on a machine
 * without a clock). */
static uint64_t epoch_ms_at_boot;

void time_set_unix_seconds(uint64_t now) {
    uint64_t up = timer_uptime_ms();
    epoch_ms_at_boot = now * 1000 > up ? now * 1000 - up : 0;
}

uint64_t time_unix_ms(void) { return epoch_ms_at_boot + timer_uptime_ms(); }

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), for years >= 1970. */
uint64_t time_civil_to_unix(unsigned year, unsigned month, unsigned day, unsigned h, unsigned m, unsigned s) {
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = y / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (int64_t)month + (month > 2 ? -3 : 9);
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    if (days < 0) return 0;
    return (uint64_t)days * 86400 + h * 3600ULL + m * 60ULL + s;
}

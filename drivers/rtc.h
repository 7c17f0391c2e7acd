#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H
#include <stdint.h>

struct rtc_time {
    uint16_t year;
    uint8_t month, day, hour, minute, second;
};

/* Reads the CMOS clock (UTC on QEMU). Returns 0, or -1 if the clock kept
 * updating while we read it. */
int rtc_read(struct rtc_time *t);

#endif

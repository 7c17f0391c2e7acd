/* CMOS real-time clock. The chip updates its registers once a second; a read
 * that overlaps an update can mix two seconds, so we read until two
 * consecutive reads agree. */
#include "drivers/rtc.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

static uint8_t cmos_read(uint8_t reg) {
    outb(0x70, reg | 0x80); /* bit 7 keeps NMIs disabled while selecting */
    return inb(0x71);
}

static int update_in_progress(void) { return cmos_read(0x0A) & 0x80; }

static void read_raw(struct rtc_time *t, uint8_t *century) {
    t->second = cmos_read(0x00);
    t->minute = cmos_read(0x02);
    t->hour = cmos_read(0x04);
    t->day = cmos_read(0x07);
    t->month = cmos_read(0x08);
    t->year = cmos_read(0x09);
    *century = cmos_read(0x32);
}

static uint8_t bcd(uint8_t v) { return (uint8_t)((v & 0x0f) + (v >> 4) * 10); }

int rtc_read(struct rtc_time *t) {
    struct rtc_time a, b;
    uint8_t ca, cb;
    /* memcmp below compares padding too: start both from zero. */
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    int tries = 0;
    do {
        for (int spin = 0; spin < 100000 && update_in_progress(); spin++) {}
        read_raw(&a, &ca);
        for (int spin = 0; spin < 100000 && update_in_progress(); spin++) {}
        read_raw(&b, &cb);
        if (++tries > 8) return -1;
    } while (memcmp(&a, &b, sizeof a) != 0 || ca != cb);

    uint8_t status_b = cmos_read(0x0B);
    if (!(status_b & 0x04)) { /* BCD mode */
        a.second = bcd(a.second);
        a.minute = bcd(a.minute);
        a.hour = (uint8_t)(bcd(a.hour & 0x7f) | (a.hour & 0x80));
        a.day = bcd(a.day);
        a.month = bcd(a.month);
        a.year = bcd((uint8_t)a.year);
        ca = bcd(ca);
    }
    if (!(status_b & 0x02) && (a.hour & 0x80)) /* 12-hour clock, PM */
        a.hour = (uint8_t)(((a.hour & 0x7f) + 12) % 24);
    a.year = (uint16_t)(a.year + (ca >= 19 && ca <= 30 ? ca * 100 : 2000));
    *t = a;
    return 0;
}

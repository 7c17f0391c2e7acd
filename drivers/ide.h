/* ATA and ATAPI drives on the legacy IDE controller (drivers/ide.c): PIO
 * with interrupt-driven completion, registered as block devices hda..hdd by
 * position (hdc is the pc machine's CD). */
#ifndef DRIVERS_IDE_H
#define DRIVERS_IDE_H
#include <stdint.h>

/* Probes both channels and registers every drive found: how many answered
 * IDENTIFY. Needs interrupts on and the tick running (bounded waits). */
int ide_init(void);

/* Completed commands and failures since boot (the tests read these). */
struct ide_stats { uint64_t reads, writes, errors, timeouts; };
extern struct ide_stats ide_stats;

#endif

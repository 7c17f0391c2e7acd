/* QEMU's (and Bochs') debug console on port 0xE9: a byte sink that test
 * harnesses read as a file. Registered only when the port answers the
 * read-back, so real hardware never sees writes to 0xE9. */
#ifndef DRIVERS_DEBUGCON_H
#define DRIVERS_DEBUGCON_H

int debugcon_init(void);   /* 0 and registered as a console sink, or -1 when absent */

#endif

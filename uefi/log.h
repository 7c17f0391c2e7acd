/* Loader output: every message goes to the firmware console and to COM1.
 *
 * The console is only usable while boot services run; log_console_off() is
 * called just before ExitBootServices, after which output goes to the serial
 * port alone (plain port I/O needs no firmware).
 */
#ifndef UEFI_LOG_H
#define UEFI_LOG_H

#include <efi.h>

void log_init(SIMPLE_TEXT_OUTPUT_INTERFACE *con);
void log_console_off(void);

/* Minimal printf: %s (char *), %u and %x (uint64_t: cast your argument!),
 * %c (int), %%. "\n" becomes "\r\n" on both outputs. */
void say(const char *fmt, ...);

#endif

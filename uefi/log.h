/* Loader output: to the firmware console while boot services run (the
 * firmware mirrors it to COM1), to COM1 directly after log_console_off(),
 * which is called just before ExitBootServices (plain port I/O needs no
 * firmware).
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

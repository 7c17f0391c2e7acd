/* The hashes a pinned loader boots, generated at build time into
 * $(BUILD)/uefi/pins.c by tools/mkpins.sh (PIN=0: pins_enabled 0, zero
 * hashes; the test configuration's BOOTX64-nopin.EFI for crafted ESPs). */
#ifndef UEFI_PINS_H
#define UEFI_PINS_H
#include <stdint.h>

extern const int pins_enabled;
extern const uint8_t pin_kernel_sha256[32];
extern const uint8_t pin_initrd_sha256[32];

#endif

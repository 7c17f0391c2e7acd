/* The boot seed from the firmware's EFI_RNG_PROTOCOL, for the kernel's
 * random pool (boot_info.rng_seed). */
#ifndef UEFI_RNG_H
#define UEFI_RNG_H
#include <efi.h>
#include "secos/boot_info.h"

/* Fills bi->rng_seed / rng_seed_len with 32 bytes from EFI_RNG_PROTOCOL;
 * leaves rng_seed_len 0 (and says so) when the firmware has no RNG or it
 * fails. Never fails the boot: the kernel has other, weaker sources. */
void uefi_rng_seed(EFI_BOOT_SERVICES *bs, struct secos_boot_info *bi);

/* 64 random bits for the KASLR slide: from EFI_RNG_PROTOCOL (*strong 1),
 * else the time-stamp counter (*strong 0: differs from boot to boot, but
 * guessable by someone who can time the boot). */
uint64_t uefi_rng_u64(EFI_BOOT_SERVICES *bs, int *strong);

#endif

/* Raw randomness from the CPU: RDSEED, else RDRAND, else the TSC mixed
 * through a 64-bit finaliser (weak: under QEMU's -icount the TSC repeats
 * from boot to boot; docs/SECURITY.md says so). Usable before anything else
 * is set up, which the stack-protector canary and the heap cookie need. */
#ifndef ARCH_X86_64_ENTROPY_H
#define ARCH_X86_64_ENTROPY_H
#include <stdint.h>

/* Detects RDSEED/RDRAND with CPUID and draws the first value: safe to call
 * before cpu_detect() and before the stack protector is armed. */
uint64_t entropy_early_u64(void);
uint64_t entropy_u64(void);
extern const char *entropy_source; /* "rdseed", "rdrand" or "tsc" */

#endif

/* The kernel's randomness: the stack canary, the heap cookie and ASLR.
 * One pool, seeded once at the very start of kernel_main from every source
 * the machine has and stirred on every draw:
 *   - RDSEED / RDRAND when the CPU has them (the only good sources);
 *   - the jitter of timed port reads (TSC deltas across PIT and port-0x80
 *     accesses), the PIT counter and the CMOS clock;
 *   - the TSC itself (public: the boot log and benchmarks show TSC values).
 * Without RDSEED/RDRAND the result is only as unpredictable as that timing
 * jitter, and under QEMU -icount it is deterministic: entropy_quality() says
 * so, and `info` prints it. */
#ifndef ARCH_X86_64_ENTROPY_H
#define ARCH_X86_64_ENTROPY_H
#include <stdint.h>

/* The CPU instructions and the legacy ports it reads (PIT, CMOS, port 0x80)
 * are all arch; the pool must exist before mm (the heap cookie) and before
 * the stack protector is armed, which is why it lives here. */

void entropy_init(void);          /* before anything draws; safe before the console */
uint64_t entropy_u64(void);
const char *entropy_sources(void); /* e.g. "rdseed+rdrand+jitter+pit+rtc+tsc" */
int entropy_is_hardware(void);     /* 1 if RDSEED or RDRAND delivered */

/* The sources mixed in at init, for `aslr` and `info` (= entropy_sources()). */
extern const char *entropy_source;

#endif

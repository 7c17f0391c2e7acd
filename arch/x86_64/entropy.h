/* The kernel's one random source: the stack canary, the heap cookie, ASLR,
 * AT_RANDOM, getrandom(2) and /dev/(u)random all draw from it.
 * A ChaCha20 CSPRNG with fast key erasure (lib/csprng.c); every input is
 * hashed into its key. What feeds it:
 *   - RDSEED / RDRAND when the CPU has them (strong), and one RDRAND value
 *     more on every draw;
 *   - the boot loader's seed (UEFI: EFI_RNG_PROTOCOL, boot_info.rng_seed;
 *     strong);
 *   - devices such as virtio-rng through entropy_add (strong);
 *   - the jitter of timed port reads (TSC deltas across PIT and port-0x80
 *     accesses), the PIT counter, the CMOS clock and the TSC (weak: under
 *     QEMU -icount they are identical from boot to boot).
 * entropy_is_strong() says whether any strong source delivered; `info`
 * prints STRONG: or WEAK: with the source names. */
#ifndef ARCH_X86_64_ENTROPY_H
#define ARCH_X86_64_ENTROPY_H
#include <stddef.h>
#include <stdint.h>

/* The CPU instructions and the legacy ports it reads (PIT, CMOS, port 0x80)
 * are all arch; the pool must exist before mm (the heap cookie) and before
 * the stack protector is armed, which is why it lives here. */

void entropy_init(void);          /* before anything draws; safe before the console */
/* Mix len bytes from source `src` (a short static name, listed by
 * entropy_sources) into the pool. strong = the bytes are unpredictable to an
 * attacker on their own (hardware or loader randomness); len 0 adds nothing. */
void entropy_add(const char *src, const void *buf, size_t len, int strong);
void entropy_bytes(void *buf, size_t len);
uint64_t entropy_u64(void);
const char *entropy_sources(void); /* e.g. "rdseed+rdrand+jitter+pit+rtc+tsc+loader" */
int entropy_is_strong(void);       /* 1 once any strong source delivered */

/* The sources mixed in at init, for `aslr` and `info` (= entropy_sources()). */
extern const char *entropy_source;

#endif

/* The canary must not be recoverable from the boot log. The attack: the log
 * shows BOOT_TSC, and a canary derived from a TSC read shortly after it is
 * found by trying every TSC value in the next ~1e6 cycles. Rerun it here
 * against the finaliser such a canary would use, and check the pool's draws
 * are not one fixed sequence. */
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "arch/x86_64/canary.h"
#include "arch/x86_64/entropy.h"

#include "kernel/time.h"

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

#define TSC_WINDOW (1ULL << 20)

SELFTEST(canary_not_from_boot_tsc, "core.canary_not_from_boot_tsc") {
    uint64_t guard = __stack_chk_guard;
    for (uint64_t t = boot_tsc; t < boot_tsc + TSC_WINDOW; t++)
        ST_CHECK((mix64(t ^ 0x2545f4914f6cdd1dULL) & ~0xffULL) != guard);
    return 0;
}

SELFTEST(entropy_draws_differ, "core.entropy_draws_differ") {
    uint64_t a = entropy_u64(), b = entropy_u64(), c = entropy_u64();
    ST_CHECK(a != b && b != c && a != c);
    ST_CHECK(entropy_sources()[0] != '\0');
    return 0;
}

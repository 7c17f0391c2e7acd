/* Machine checks can only be reported if CR4.MCE is on (otherwise the CPU
 * shuts down on the first uncorrected error). */
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "arch/x86_64/cpu.h"

SELFTEST(cr4_mce, "core.cr4_mce_enabled") {
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    if (!(d & (1u << 7))) return 0; /* no MCE on this CPU: nothing to enable */
    ST_CHECK(read_cr4() & CR4_MCE);
    return 0;
}

/* reboot(2) with MANIFEST_FLAG_POWER in the manifest: allowed, so the
 * arguments are checked. Only requests that must fail, or that change
 * nothing (the Ctrl-Alt-Del setting), are made: the machine stays up. */
#include "t_check.h"
#include "manifest.h"
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS | MANIFEST_FLAG_ABI_LINUX | MANIFEST_FLAG_POWER, 4 << 20);

#define MAGIC1 0xfee1deadUL
#define MAGIC2 672274793UL

static long call(unsigned long m1, unsigned long m2, unsigned long cmd) {
    errno = 0;
    return syscall(SYS_reboot, m1, m2, cmd, 0UL);
}

int main(void) {
    check_init();
    long r = call(0xfee1deaeUL, MAGIC2, 0x4321FEDCUL);
    CHECK("bad first magic: EINVAL", r == -1 && errno == EINVAL, "got %ld errno %d", r, errno);
    r = call(MAGIC1, 12345, 0x4321FEDCUL);
    CHECK("bad second magic: EINVAL", r == -1 && errno == EINVAL, "got %ld errno %d", r, errno);
    r = call(MAGIC1 | (1UL << 32), MAGIC2, 0x4321FEDCUL);
    CHECK("magic with high bits set: EINVAL", r == -1 && errno == EINVAL, "got %ld errno %d", r, errno);
    r = call(MAGIC1, MAGIC2, 0x12345678UL);
    CHECK("unknown command: EINVAL", r == -1 && errno == EINVAL, "got %ld errno %d", r, errno);
    r = call(MAGIC1, 85072278UL, 0x89ABCDEFUL);
    CHECK("Ctrl-Alt-Del on (other magic): 0", r == 0, "got %ld errno %d (%s)", r, errno, strerror(errno));
    r = call(MAGIC1, MAGIC2, 0);
    CHECK("Ctrl-Alt-Del off: 0", r == 0, "got %ld errno %d (%s)", r, errno, strerror(errno));
    return check_done("t_power");
}

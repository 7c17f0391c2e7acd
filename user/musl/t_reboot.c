/* reboot(2) is refused to an ordinary program: this one has no SECOS
 * manifest (like any unmodified Linux binary) and is not pid 1, so every
 * request, well-formed or not, must fail with EPERM and the machine keep
 * running (t_power has the manifest flag and checks the arguments). */
#include "t_check.h"
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAGIC1 0xfee1deadUL
#define MAGIC2 672274793UL

static long call(unsigned long m1, unsigned long m2, unsigned long cmd) {
    errno = 0;
    return syscall(SYS_reboot, m1, m2, cmd, 0UL);
}

int main(void) {
    check_init();
    static const struct { const char *what; unsigned long m1, m2, cmd; } cases[] = {
        { "power off refused", MAGIC1, MAGIC2, 0x4321FEDCUL },
        { "restart refused", MAGIC1, MAGIC2, 0x01234567UL },
        { "halt refused", MAGIC1, MAGIC2, 0xCDEF0123UL },
        { "Ctrl-Alt-Del setting refused", MAGIC1, MAGIC2, 0x89ABCDEFUL },
        { "bad magic refused before it is checked", 0, 0, 0x4321FEDCUL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long r = call(cases[i].m1, cases[i].m2, cases[i].cmd);
        CHECK(cases[i].what, r == -1 && errno == EPERM, "got %ld errno %d (%s)", r, errno, strerror(errno));
    }
    return check_done("t_reboot");
}

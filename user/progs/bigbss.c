/* bigbss: 48 MiB of bss, of which it touches one page, then sleeps a
 * second. The loader must not zero (or pay for) the untouched bss up front:
 * its work per spawn is bounded by the file, and `ps` shows only the pages
 * in use (tests/qemu/test_bounded_work.py). */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

static char big[48u << 20];

int main(void) {
    big[sizeof big / 2] = 1;
    printf("bigbss: ready\n");
    flush();
    sys_sleep(1000);
    return big[sizeof big / 2] == 1 && big[0] == 0 ? 0 : 1;
}

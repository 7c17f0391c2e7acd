/* bigmem: a program whose manifest asks for 1 GiB of memory, 16 times the cap. The kernel's
 * per-process cap (64 MiB) must still apply: touching 128 MiB ends in a
 * [KILL] ... reason=memory limit reached. Prints "bigmem: NOT limited" and
 * exits 3 if it gets all of it. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 1ull << 30); /* an immediate: at most 2^31 - 1 */

int main(void) {
    unsigned long len = 128ul << 20;
    long a = sys_mmap(0, len, PROT_READ | PROT_WRITE);
    if (sys_is_err(a)) { printf("bigmem: mmap failed %ld\n", a); return 2; }
    for (unsigned long off = 0; off < len; off += 4096) *(volatile unsigned char *)(a + off) = 1;
    printf("bigmem: NOT limited: touched %lu MiB\n", len >> 20);
    return 3;
}

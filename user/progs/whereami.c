/* whereami: prints where the kernel placed this process's stack, its first
 * mmap region and its code, so a test can see ASLR at work. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    (void)argc;
    long m = sys_mmap(0, 4096, PROT_READ | PROT_WRITE);
    printf("whereami: stack=%p mmap=%p code=%p\n", (void *)argv, (void *)m, (void *)main);
    return 0;
}

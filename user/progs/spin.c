/* spin [n]: burns CPU with no system calls in the loop, so the only way
 * anything else runs meanwhile is timer preemption. Without an argument it
 * never ends; with n it stops after n * 10^8 iterations (roughly n seconds
 * natively, longer under TCG) and exits 0. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    unsigned long n = argc > 1 ? (unsigned long)atoi(argv[1]) : 0;
    printf("spin: pid=%ld spinning %s\n", sys_getpid(), n ? argv[1] : "forever");
    unsigned long limit = n * 100000000ul;
    for (unsigned long i = 0; !n || i < limit; i++)
        __asm__ volatile("" ::: "memory");   /* keeps the empty loop from being optimised away */
    printf("spin: pid=%ld done\n", sys_getpid());
    return 0;
}

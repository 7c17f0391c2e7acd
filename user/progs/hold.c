/* hold <KiB>: maps and touches KiB of memory, says so, then keeps it while
 * sleeping until killed. Tests use it to exhaust physical memory while the
 * kernel shell goes on running commands. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    unsigned long kib = argc > 1 ? (unsigned long)atoi(argv[1]) : 0;
    unsigned long bytes = kib * 1024, done = 0;
    while (done < bytes) {
        unsigned long chunk = bytes - done;
        long a;
        /* Few, large regions: an address space has only so many. */
        while ((a = (long)sys_mmap(0, chunk, PROT_READ | PROT_WRITE)) < 0 && chunk > 4096)
            chunk = (chunk / 2 + 4095) & ~4095ul;
        if (a < 0) break;
        for (unsigned long off = 0; off < chunk; off += 4096) *(volatile char *)(a + off) = 1;
        done += chunk;
    }
    printf("hold: holding %lu KiB\n", done / 1024);
    for (;;) sys_sleep(1000);
}

/* memhog <frames> | memhog release (test configuration): takes physical
 * frames straight from the PMM and keeps them, so that tests can run the
 * console with memory exhausted past what any user program may hold (user
 * programs stop at the system-wide cap, before the kernel's reserve). The
 * frames are chained through their own first word. */
#include "console/shell.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "mm/physmap.h"
#include "mm/pmm.h"

static uint64_t held_head, held_count;

static int cmd_memhog(int argc, char **argv) {
    unsigned long long n;
    if (argc == 2 && strcmp(argv[1], "release") == 0) {
        uint64_t freed = 0;
        while (held_head) {
            uint64_t next = *(uint64_t *)phys_to_virt(held_head);
            pmm_free(held_head);
            held_head = next;
            freed++;
        }
        held_count = 0;
        kprintf("memhog: released %lu frames\n", freed);
        return 0;
    }
    if (argc != 2 || parse_u64(argv[1], &n)) {
        kprintf("usage: memhog <frames> | memhog release\n");
        return -1;
    }
    uint64_t got = 0;
    for (; got < n; got++) {
        uint64_t pa = pmm_alloc();
        if (!pa) break;
        *(uint64_t *)phys_to_virt(pa) = held_head;
        held_head = pa;
    }
    held_count += got;
    kprintf("memhog: holding %lu frames (%lu taken now)\n", held_count, got);
    return 0;
}
SHELL_COMMAND(memhog, "memhog", "memhog <frames> | memhog release",
              "(test configuration) keep frames from the allocator, to test commands with memory exhausted", cmd_memhog);

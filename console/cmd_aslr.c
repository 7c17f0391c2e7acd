/* aslr: shows (and for debugging switches) user address-space randomisation. */
#include "console/shell.h"
#include "lib/console_out.h"
#include "kernel/loader.h"
#include "arch/x86_64/entropy.h"
#include "lib/string.h"

static int cmd_aslr(int argc, char **argv) {
    if (argc == 2 && (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0)) {
        aslr_enabled = argv[1][1] == 'n';
    } else if (argc != 1) {
        kprintf("usage: aslr [on|off]\n");
        return -1;
    }
    kprintf("aslr: %s (entropy source: %s)\n", aslr_enabled ? "on" : "off", entropy_source);
    kprintf("aslr: stack top: %d bits (page slide below %#llx)\n", aslr_enabled ? ASLR_STACK_BITS : 0,
            (unsigned long long)USER_STACK_TOP);
    kprintf("aslr: mmap base: %d bits (page slide above %#llx)\n", aslr_enabled ? ASLR_MMAP_BITS : 0,
            (unsigned long long)USER_MMAP_BASE);
    kprintf("aslr: program base: %d bits for position-independent (ET_DYN) programs; ET_EXEC stays at its link address\n",
            aslr_enabled ? ASLR_PIE_BITS : 0);
    return 0;
}
SHELL_COMMAND(aslr, "aslr", "aslr [on|off]", "user address-space randomisation: state and entropy bits", cmd_aslr);

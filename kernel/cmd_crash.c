/* crashtest: provoke each fatal fault path on purpose, to prove it ends in a
 * precise [EXC]/[PANIC] report and never in a triple fault. */
#include "kernel/shell.h"
#include "kernel/console.h"
#include "mm/kheap.h"
#include "mm/kstack.h"
#include "mm/vmm.h"
#include "lib/string.h"

extern char __text_start[];

static volatile int recurse_limit = 1 << 30; /* volatile: the compiler cannot see the end */

static int __attribute__((noinline)) recurse(int depth) {
    volatile char pad[256];
    pad[0] = (char)depth;
    if (depth >= recurse_limit) return pad[0];
    return recurse(depth + 1) + pad[0]; /* not a tail call: every frame stays */
}

static const char *const kinds = "stack null wx nx df";

static int cmd_crashtest(int argc, char **argv) {
    if (argc != 2) {
        kprintf("usage: crashtest <%s>\n", kinds);
        return -1;
    }
    const char *k = argv[1];
    if (strcmp(k, "stack") == 0) {
        kprintf("crashtest: recursing until the kernel stack's guard page is hit\n");
        recurse(0);
    } else if (strcmp(k, "null") == 0) {
        kprintf("crashtest: reading address 0\n");
        (void)*(volatile uint64_t *)0;
    } else if (strcmp(k, "wx") == 0) {
        kprintf("crashtest: writing to kernel .text at %p\n", (void *)__text_start);
        *(volatile uint8_t *)__text_start = 0xcc;
    } else if (strcmp(k, "nx") == 0) {
        uint8_t *code = kmalloc(16);
        code[0] = 0xc3; /* ret */
        kprintf("crashtest: calling into the heap at %p\n", (void *)code);
        ((void (*)(void))code)();
    } else if (strcmp(k, "df") == 0) {
        /* A push onto an unmapped stack faults, and delivering that #PF
         * needs the same stack: the CPU escalates to #DF, which runs on IST1. */
        kprintf("crashtest: pushing onto an unmapped stack\n");
        uint64_t bad = KTEST_BASE + 0x7ff000; /* unmapped, and no guard page */
        __asm__ volatile("mov %0, %%rsp\n\tpush %%rax" ::"r"(bad) : "memory");
    } else {
        kprintf("crashtest: unknown kind '%s' (one of: %s)\n", k, kinds);
        return -1;
    }
    kprintf("crashtest: %s did not fault!\n", k);
    return -1;
}
SHELL_COMMAND(crashtest, "crashtest", "crashtest <kind>", "fault on purpose: stack, null, wx, nx or df", cmd_crashtest);

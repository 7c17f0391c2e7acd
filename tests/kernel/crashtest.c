/* crashtest: provoke each fatal fault path on purpose, to prove it ends in a
 * precise [EXC]/[PANIC] report and never in a triple fault. */
#include "console/shell.h"
#include "lib/console_out.h"
#include "mm/kheap.h"
#include "mm/kstack.h"
#include "mm/vmm.h"
#include "mm/physmap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "dspace/driver_space.h"
#include "lib/string.h"

extern char __text_start[];

static volatile int recurse_limit = 1 << 30; /* volatile: the compiler cannot see the end */

static int __attribute__((noinline)) recurse(int depth) {
    volatile char pad[256];
    pad[0] = (char)depth;
    if (depth >= recurse_limit) return pad[0];
    return recurse(depth + 1) + pad[0]; /* not a tail call: every frame stays */
}

/* Writes past a local array through a pointer the compiler cannot see
 * through, so the canary check at return is what catches it. */
static void __attribute__((noinline)) smash_own_stack(void) {
    char buf[16];
    volatile char *volatile p = buf;
    for (int i = 0; i < 64; i++) p[i] = 'A';
}

static const char *const kinds = "stack null wx nx df canary smap smep rodata registry";

/* smap: the kernel reads a user page outside a copy routine; smep: the
 * kernel jumps into a user page. Both need a user page in the current
 * address space, so a scratch space is switched in first. */
static int crash_user_access(int execute) {
    int has = execute ? cpu_info.smep : cpu_info.smap;
    if (!has) {
        kprintf("crashtest: this CPU has no %s (try qemu -cpu max); nothing to prove\n", execute ? "SMEP" : "SMAP");
        return -1;
    }
    struct address_space *as = vmm_space_create();
    uint64_t va = 0x400000;
    if (!as || vmm_map_new(as, va, PTE_P | PTE_U | (execute ? 0 : PTE_NX)) != 0) {
        kprintf("crashtest: out of memory\n");
        return -1;
    }
    uint64_t pa;
    vmm_translate(as, va, &pa, 0);
    *(uint8_t *)phys_to_virt(pa) = 0xc3; /* ret */
    vmm_activate(as);
    if (execute) {
        kprintf("crashtest: kernel calling user page %#lx\n", va);
        ((void (*)(void))va)();
    } else {
        kprintf("crashtest: kernel reading user page %#lx without stac\n", va);
        (void)*(volatile uint8_t *)va;
    }
    vmm_activate(&kernel_space);
    vmm_space_destroy(as);
    kprintf("crashtest: %s did not fault!\n", execute ? "smep" : "smap");
    return -1;
}

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
    } else if (strcmp(k, "canary") == 0) {
        kprintf("crashtest: overflowing a stack buffer\n");
        smash_own_stack();
    } else if (strcmp(k, "smap") == 0 || strcmp(k, "smep") == 0) {
        return crash_user_access(strcmp(k, "smep") == 0);
    } else if (strcmp(k, "rodata") == 0) {
        kprintf("crashtest: writing to the IDT (read-only after init)\n");
        *(volatile uint8_t *)idt_base() = 0;
    } else if (strcmp(k, "registry") == 0) {
        kprintf("crashtest: granting device 1 every capability (its descriptor is read-only)\n");
        *(volatile uint32_t *)&driver_devices[1].caps = 0xf;
    } else {
        kprintf("crashtest: unknown kind '%s' (one of: %s)\n", k, kinds);
        return -1;
    }
    kprintf("crashtest: %s did not fault!\n", k);
    return -1;
}
SHELL_COMMAND(crashtest, "crashtest", "crashtest <kind>", "fault on purpose: stack null wx nx df canary smap smep rodata registry", cmd_crashtest);

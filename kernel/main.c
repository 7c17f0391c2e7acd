/* kernel_main: the one place that knows the order in which the machine is
 * brought up. Both boot paths arrive here on the boot stack with interrupts
 * off and the loader's page tables still live (identity map included). */
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/selftest.h"
#include "kernel/shell.h"
#include "kernel/version.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/pic.h"
#include "drivers/keyboard.h"
#include "drivers/pit.h"
#include "drivers/serial.h"
#include "mm/paging.h"
#include "mm/physmap.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "mm/kheap.h"
#include "mm/kstack.h"
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/proc.h"
#include "drivers/space/driver_space.h"
#include "kernel/canary.h"
#include "kernel/demos.h"
#include "mm/usercopy.h"
#include "arch/x86_64/nmi.h"

uint64_t boot_tsc;

/* Early boot reads loader structures through the loader's identity map. */
static const void *identity_reader(uint64_t pa, uint64_t len) {
    if (pa == 0 || pa + len < pa || pa + len > (4ULL << 30)) return 0;
    return (const void *)(uintptr_t)pa;
}

/* Weak until every build has the filesystem linked in. */
void fs_init(void) __attribute__((weak));
void fs_late_init(void) __attribute__((weak));

static void keyboard_irq_handler(struct trapframe *tf) {
    (void)tf;
    keyboard_irq();
}

/* Runs on the guarded main stack in the stack region. */
static void kernel_main_stage2(void) {
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    kprintf("[M2] Stack switch ok rsp=%#lx\n", rsp);

    fpu_init();
    syscall_init();
    usercopy_set_smap(!!(read_cr4() & CR4_SMAP));
    proc_init();
    pic_init();
    pit_init();
    keyboard_init();
    irq_register(1, keyboard_irq_handler);
    pic_unmask(1);
    serial_enable_rx_irq();
    cpu_sti();

    if (fs_init) fs_init();
#if M4_SELFTEST_ENABLE
    selftest_run(0);
#endif
    demos_run();
    if (fs_late_init) fs_late_init(); /* initrd, then /init.rc */
    /* The driver registry's descriptors are sealed with the IDT and GDT, so
     * they must be complete before: set the registry up now, not lazily. */
    if (driver_registry_init() != 0) panic("driver registry: out of memory for the device regions");
    kprintf("[BOOT] sealed %lu ro-after-init pages (IDT, GDT, driver registry)\n", paging_seal_ro_after_init());
    console_marker("SHELL_TSC %lu\n", rdtsc());
    shell_main();
}

void kernel_main(uint32_t magic, uint64_t info_phys) {
    boot_tsc = rdtsc();
    canary_init(); /* seeds the entropy pool from every source, not from boot_tsc alone */
    console_init();
    kprintf("SECoS build %s git:%s\n", secos_build_time, secos_git_hash);
    /* Printed only after seeding, and the seed does not follow from it (the
     * core.canary_not_from_boot_tsc selftest reruns that attack). */
    console_marker("BOOT_TSC %lu\n", boot_tsc);

    const char *why = "";
    if (boot_info_parse(magic, info_phys, identity_reader, &boot_info, &why) < 0)
        panic("cannot use the boot information (magic %#x): %s", magic, why);
    kernel_phys_base = boot_info.kernel_phys_base;
    if (boot_info.mmap_dropped)
        kprintf("[BOOT] warning: %u memory map entries did not fit and were ignored\n", boot_info.mmap_dropped);
    if (boot_info.modules_dropped)
        kprintf("[BOOT] warning: %u boot modules beyond the first %d were ignored\n", boot_info.modules_dropped,
                BOOT_MODULES_MAX);

    cpu_detect();
    gdt_init();
    idt_init();
    cpu_enable_protections();
    mce_init();
    paging_init();
    console_init_display();
    kprintf("[BOOT] path=%s loader=\"%pE\" kernel at phys %#lx\n", boot_path_name(boot_info.path),
            boot_info.loader_name, boot_info.kernel_phys_base);

    pmm_init();
    vmm_init();
    kheap_init();
    kstack_boot_switch(kernel_main_stage2);
}

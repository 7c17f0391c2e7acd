/* kernel_main: the one place that knows the order in which the machine is
 * brought up, and the only code that knows every layer: it wires each
 * lower layer's hooks to the code above that serves them. Both boot paths
 * arrive here on the boot stack with interrupts off and the loader's page
 * tables still live (identity map included). */
#include "init/builtin_programs.h"
#include "init/syscall_table.h"
#include "drivers/rtc.h"
#include "boot/boot_info.h"
#include "fs/measure.h"
#include "arch/x86_64/entropy.h"
#include "arch/x86_64/canary.h"
#include "lib/string.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/trap_hooks.h"
#include "arch/x86_64/trapframe.h"
#include "mm/kheap.h"
#include "mm/kstack.h"
#include "mm/paging.h"
#include "mm/physmap.h"
#include "mm/pmm.h"
#include "mm/usercopy.h"
#include "mm/vmm.h"
#include "kernel/input.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/selftest.h"
#include "tty/tty.h"
#include "kernel/syscall.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/user_budget.h"
#include "kernel/umem.h"
#include "kernel/version.h"
#include "kernel/cmdline.h"
#include "fs/exec.h"
#include "fs/mount.h"
#include "fs/esp.h"
#include "block/ramdisk.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "drivers/debugcon.h"
#include "drivers/ahci.h"
#include "drivers/ide.h"
#include "drivers/display.h"
#include "drivers/keyboard.h"
#include "drivers/pit.h"
#include "drivers/pci.h"
#include "drivers/virtio_blk.h"
#include "drivers/e1000.h"
#include "drivers/virtio_net.h"
#include "drivers/virtio_rng.h"
#include "fs/netdev_file.h"
#include "drivers/power.h"
#include "drivers/serial.h"
#include "dspace/driver_space.h"
#include "console/shell.h"
#include "console/shell_fs.h"
#include "console/boot_script.h"
#include "lib/console_out.h"
#include "socket/net_keeper.h"
#include "tests/kernel/demos.h"
#include "arch/x86_64/nmi.h"


/* Early boot reads loader structures through the loader's identity map. */
static const void *identity_reader(uint64_t pa, uint64_t len) {
    if (pa == 0 || pa + len < pa || pa + len > (4ULL << 30)) return 0;
    return (const void *)(uintptr_t)pa;
}

/* The same identity window, writable: only for wiping the loader's seed. */
static void *identity_writer(uint64_t pa, uint64_t len) { return (void *)identity_reader(pa, len); }

static void keyboard_irq_handler(struct trapframe *tf) {
    (void)tf;
    keyboard_irq();
}

/* init=<path> on the kernel command line: that program runs as pid 1 and
 * owns the console (fds 0-2 read and write it, as every process's do);
 * the kernel console task waits for it and takes the console back when it
 * ends, saying so, so that a broken init never leaves a dead machine. */
static void run_init_if_asked(void) {
    char path[CMDLINE_INIT_MAX];
    const char *why;
    int r = cmdline_init_path(boot_info.cmdline, path, sizeof path, &why);
    if (r < 0) kprintf("[INIT] init= refused: %s; starting the kernel console\n", why);
    if (r <= 0) return;
    int pid = proc_spawn_init(path, &why);
    if (pid < 0) {
        kprintf("[INIT] cannot start %s: %s (error %d); starting the kernel console\n", path, why, pid);
        return;
    }
    kprintf("[INIT] %s runs as pid 1; the kernel console (pid %d) waits for it\n", path, proc_kernel_shell_pid());
    console_marker("[INIT] started\n");
    int status = 0;
    proc_wait(proc_kernel_shell_pid(), 1, &status, 1);
    kprintf("[INIT] pid 1 (%s) exited with status %d: falling back to the kernel console\n", path, status);
}

/* Runs on the guarded main stack in the stack region. */
static void kernel_main_stage2(void) {
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    kprintf("[M2] Stack switch ok rsp=%#lx\n", rsp);

    fpu_init();
    syscall_set_abi(PROC_ABI_SECOS, &(struct syscall_abi){ syscall_table, SYSCALL_TABLE_SIZE, 1, "secos" });
    syscall_set_abi(PROC_ABI_LINUX, &(struct syscall_abi){ linux_syscall_table, SYSCALL_TABLE_SIZE, 0, "linux" });
    syscall_activate(PROC_ABI_SECOS); /* the shell starts SECoS programs; the scheduler switches from there */
    trap_set_syscall_handler(syscall_dispatch, syscall_dispatch_int80, syscall_bad_return);
    trap_set_user_fault_handler(trap_user_fault);
    syscall_init();
    usercopy_set_smap(!!(read_cr4() & CR4_SMAP));
    proc_init();
    signal_init();
    vmm_set_user_frames_check(user_budget_allow);
    exec_init(builtin_programs, builtin_program_count);
    umem_set_file_source(vfs_file_read_at);
    struct rtc_time now;
    if (rtc_read(&now) == 0)
        time_set_unix_seconds(time_civil_to_unix(now.year, now.month, now.day, now.hour, now.minute, now.second));
    console_input_init();
    pic_init();
    pit_init();
    keyboard_init();
    irq_register(1, keyboard_irq_handler);
    pic_unmask(1);
    serial_enable_rx_irq();
    pci_init();                        /* before any driver of a PCI device */
    virtio_rng_init();                 /* the host's randomness, before any program draws */
    cpu_sti();
    ide_init();                        /* disks: bounded waits need the tick */
    ahci_init();

    virtio_blk_init();                 /* interrupts on: requests sleep; partitions registered too */
    e1000_init();                      /* NICs: netdevs eth0.. */
    virtio_net_init();
    netdev_files_init();               /* /dev/eth<N> for the network server */
    socket_init();                     /* /dev/netsrv: sockets through the network server */
    ramdisk_init();                    /* boot modules named disk / *.img: block devices for fs */
    measure_boot(&boot_info);          /* the loader's image hashes, published by fs_init */
    fs_init();
    tty_init();                        /* fds 0-2 and /dev/console, /dev/tty: before any program */
#if M4_SELFTEST_ENABLE
    selftest_run(0);
#endif
    demos_run();                       /* test configuration only: the ring-3 demos */
    fs_late_init();                    /* the initrd, before the script that may use it */
    fs_mount_set_cwd_hook(fs_shell_cwd);   /* the console's directory keeps a mount busy */
    power_set_prepare_hook(fs_unmount_all); /* disks written back before the machine goes off */
    fs_mount_cmdline(boot_info.cmdline);   /* mount=<dev>:<dir>[:<type>[:ro]] */
    fs_esp_mount(boot_info.cmdline);       /* UEFI: the boot volume at /boot/efi (esp=ro|rw|off) */
    fs_run_boot_script("/init.rc", "init.rc"); /* boot-script rights: console/boot_script.c */
    /* The driver registry's descriptors are sealed with the IDT and GDT, so
     * they must be complete before: set the registry up now, not lazily. */
    if (driver_registry_init() != 0) panic("driver registry: out of memory for the device regions");
    kprintf("[BOOT] sealed %lu ro-after-init pages (IDT, GDT, driver registry, syscall table)\n",
            paging_seal_ro_after_init());
    net_keeper_start(boot_info.cmdline);   /* net=on: /sbin/netd --daemon, kept running */
    run_init_if_asked();
    console_marker("SHELL_TSC %lu\n", rdtsc());
    shell_main();
}

extern char __kernel_start[];
extern uint64_t boot_kaslr_slide;   /* arch/x86_64/boot.asm */

void kernel_main(uint32_t magic, uint64_t info_phys);
void kernel_main(uint32_t magic, uint64_t info_phys) {
    boot_tsc = rdtsc();
    canary_init(); /* seeds the entropy pool from every source, not from boot_tsc alone */
    serial_init();
    debugcon_init();
    kprintf("SECoS build %s git:%s\n", secos_build_time, secos_git_hash);
    /* Printed only after seeding, and the seed does not follow from it (the
     * core.canary_not_from_boot_tsc selftest reruns that attack). */
    console_marker("BOOT_TSC %lu\n", boot_tsc);

    const char *why = "";
    if (boot_info_parse(magic, info_phys, identity_reader, &boot_info, &why) < 0)
        panic("cannot use the boot information (magic %#x): %s", magic, why);
    entropy_add("loader", boot_info.rng_seed, boot_info.rng_seed_len, 1);
    memset(boot_info.rng_seed, 0, sizeof boot_info.rng_seed); /* absorbed: no copy to leak */
    (void)boot_info_wipe_seed(magic, info_phys, identity_writer); /* nor the loader's */
    canary_rekey(); /* from this frame only: kernel_main never returns */
    kernel_phys_base = boot_info.kernel_phys_base;
    if (magic != 0) boot_info.kernel_slide = boot_kaslr_slide;   /* Multiboot: boot.asm slid the image itself */
    /* The loader's slide and where this code runs must agree, or every
     * kernel virtual-to-physical translation below is wrong. */
    if ((uint64_t)__kernel_start != SECOS_KERNEL_LINK_BASE + boot_info.kernel_slide)
        panic("KASLR: the image runs at %#lx, the loader says slide %#lx", (uint64_t)__kernel_start,
              boot_info.kernel_slide);
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
    display_init();
    kprintf("[BOOT] path=%s loader=\"%pE\" kernel at phys %#lx\n", boot_path_name(boot_info.path),
            boot_info.loader_name, boot_info.kernel_phys_base);

    pmm_init();
    vmm_init();
    trap_set_page_fault_resolver(vmm_handle_page_fault);
    kheap_init();
    trap_set_stack_guard_check(kstack_guard_hit);
    kstack_boot_switch(kernel_main_stage2);
}

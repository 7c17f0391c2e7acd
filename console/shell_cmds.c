/* The foundation's shell commands. */
#include "console/shell.h"
#include "mm/paging.h"
#include "mm/kheap.h"
#include "lib/console_out.h"
#include "drivers/display.h"
#include "boot/boot_info.h"
#include "kernel/version.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "kernel/time.h"
#include "drivers/rtc.h"
#include "drivers/power.h"
#include "kernel/proc.h"
#include "arch/x86_64/entropy.h"
#include "lib/string.h"
#include "fs/mount.h"

static int cmd_help(int argc, char **argv) {
    (void)argc; (void)argv;
    const struct shell_command *cmds[128];
    int n = shell_commands_sorted(cmds, 128);
    kprintf("Commands:\n");
    for (int i = 0; i < n; i++) kprintf("  %-22s %s\n", cmds[i]->usage, cmds[i]->help);
    return 0;
}
SHELL_COMMAND(help, "help", "help", "list every command with one line of help", cmd_help);

static int cmd_clear(int argc, char **argv) {
    (void)argc; (void)argv;
    console_clear();
    return 0;
}
SHELL_COMMAND(clear, "clear", "clear", "clear the screen", cmd_clear);

static int cmd_echo(int argc, char **argv) {
    for (int i = 1; i < argc; i++) kprintf(i > 1 ? " %s" : "%s", argv[i]);
    kprintf("\n");
    return 0;
}
SHELL_COMMAND(echo, "echo", "echo [text]", "print the arguments", cmd_echo);

static const char *yes_no(int v) { return v ? "yes" : "no"; }

static int cmd_info(int argc, char **argv) {
    (void)argc; (void)argv;
    uint64_t cr4 = read_cr4();
    kprintf("SECoS build %s git:%s\n", secos_build_time, secos_git_hash);
    kprintf("boot path:   %s (loader: %pE)\n", boot_path_name(boot_info.path),
            boot_info.loader_name[0] ? boot_info.loader_name : "unknown");
    kprintf("memory:      %lu MiB RAM reported, %u map entries\n", boot_info_ram_bytes(&boot_info) >> 20,
            boot_info.mmap_count);
    /* The slide is shown here, to the console only: nothing a program can
     * read reveals it (docs/SECURITY.md, KASLR). */
    kprintf("kernel:      physical base %#lx, KASLR slide %#lx%s\n", boot_info.kernel_phys_base,
            boot_info.kernel_slide, boot_info.kernel_slide ? "" : " (not slid)");
    kprintf("layout:      physmap at %#lx, heap at %#lx (random every boot)\n", paging_physmap_base(), kheap_base_addr());
    kprintf("display:     %s\n", display_name());
    kprintf("cmdline:     %pE\n", boot_info.cmdline[0] ? boot_info.cmdline : "(none)");
    kprintf("acpi rsdp:   %#lx\n", boot_info.rsdp_addr);
    kprintf("cpu:         %s %s\n", cpu_info.vendor, cpu_info.brand);
    kprintf("features:    NX=%s SMEP=%s SMAP=%s UMIP=%s RDRAND=%s\n", yes_no(cpu_info.nx),
            yes_no(cpu_info.smep), yes_no(cpu_info.smap), yes_no(cpu_info.umip), yes_no(cpu_info.rdrand));
    kprintf("enabled:     NXE=%s WP=%s SMEP=%s SMAP=%s UMIP=%s\n", yes_no(rdmsr(MSR_EFER) & EFER_NXE),
            yes_no(read_cr0() & CR0_WP), yes_no(cr4 & CR4_SMEP), yes_no(cr4 & CR4_SMAP), yes_no(cr4 & CR4_UMIP));
    if (entropy_is_strong())
        kprintf("entropy:     STRONG: %s\n", entropy_sources());
    else
        kprintf("entropy:     WEAK: %s; no RDRAND/RDSEED, loader seed or virtio-rng: canary, heap cookie and ASLR "
                "come from timing jitter and clocks only, predictable under emulation with -icount\n",
                entropy_sources());
    return 0;
}
SHELL_COMMAND(info, "info", "info", "boot path, memory, display, command line, CPU and its security features", cmd_info);

static int cmd_uptime(int argc, char **argv) {
    (void)argc; (void)argv;
    uint64_t ms = timer_uptime_ms();
    kprintf("uptime: %lu.%03lu s (%lu ticks at %d Hz)\n", ms / 1000, ms % 1000, timer_ticks(), TIMER_HZ);
    struct rtc_time t;
    if (rtc_read(&t) == 0)
        kprintf("wall clock: %04u-%02u-%02u %02u:%02u:%02u UTC\n", t.year, t.month, t.day, t.hour, t.minute, t.second);
    else
        kprintf("wall clock: unavailable (RTC kept updating)\n");
    return 0;
}
SHELL_COMMAND(uptime, "uptime", "uptime", "time since boot and the RTC wall clock", cmd_uptime);

static int cmd_sleep(int argc, char **argv) {
    unsigned long long ms;
    if (argc != 2 || parse_u64(argv[1], &ms) != 0 || ms < 1 || ms > 10000) {
        kprintf("error: sleep takes one number of milliseconds from 1 to 10000\n");
        return -1;
    }
    uint64_t start = timer_uptime_ms();
    sched_sleep_ms(ms);
    kprintf("slept %lu ms\n", timer_uptime_ms() - start);
    return 0;
}
SHELL_COMMAND(sleep, "sleep", "sleep <ms>", "block for 1..10000 milliseconds", cmd_sleep);

static const char *const color_names[16] = {
    "black", "blue", "green", "cyan", "red", "magenta", "brown", "light grey",
    "dark grey", "light blue", "light green", "light cyan", "light red", "pink", "yellow", "white",
};

static int cmd_colors(int argc, char **argv) {
    (void)argc; (void)argv;
    for (int i = 0; i < 16; i++) {
        console_set_color((uint8_t)i, i == 0 ? 7 : 0);
        kprintf(" %2d %-12s", i, color_names[i]);
        console_reset_color();
        if (i % 4 == 3) kprintf("\n");
    }
    return 0;
}
SHELL_COMMAND(colors, "colors", "colors", "show the 16 console colours", cmd_colors);

static int cmd_reboot(int argc, char **argv) {
    (void)argc; (void)argv;
    kprintf("rebooting...\n");
    fs_unmount_all();   /* disks written back first (RAM disks are lost anyway) */
    power_reboot();
}
SHELL_COMMAND(reboot, "reboot", "reboot", "restart the machine", cmd_reboot);

static int cmd_poweroff(int argc, char **argv) {
    (void)argc; (void)argv;
    kprintf("powering off...\n");
    fs_unmount_all();   /* every disk written back and unmounted cleanly */
    console_marker("[POWEROFF]\n");
    const char *why = "";
    power_off(&why);   /* returns only if the machine is still on two seconds later */
    kprintf("poweroff: %s; halted (it is safe to switch off)\n", why);
    cpu_cli();
    for (;;) cpu_hlt();
    return -1; /* not reached */
}
SHELL_COMMAND(poweroff, "poweroff", "poweroff", "switch the machine off (QEMU exits)", cmd_poweroff);

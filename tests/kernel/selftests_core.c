/* Foundation selftests: they prove, on the real machine, the pieces every
 * later test leans on (formatting, interrupts, the timer, the page tables). */
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "boot/boot_info.h"
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/cpu.h"
#include "kernel/time.h"
#include "kernel/proc.h"
#include "mm/paging.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/lineedit.h"

SELFTEST(printf, "core.printf") {
    char buf[64];
    ksnprintf(buf, sizeof buf, "%d|%5s|%-3x|%#lx|%03u", -42, "ab", 0xf, 0xdeadbeefUL, 7u);
    ST_CHECK(strcmp(buf, "-42|   ab|f  |0xdeadbeef|007") == 0);
    ST_CHECK(ksnprintf(buf, 4, "%s", "truncated") == 9 && strcmp(buf, "tru") == 0);
    return 0;
}

SELFTEST(lineedit, "core.lineedit") {
    static struct line_editor le; /* ~6 KiB with its history: not on the stack */
    line_editor_init(&le);
    const char *in = "ab\x07" "c\bd\x1b[D\x1b[Dx\x05";
    for (const char *p = in; *p; p++) line_editor_feed(&le, (unsigned char)*p);
    ST_CHECK(line_editor_feed(&le, '\r') == LINE_DONE);
    ST_CHECK(strcmp(le.buf, "axbd") == 0);
    return 0;
}

SELFTEST(boot_info, "core.boot_info") {
    ST_CHECK(boot_info.path == BOOT_PATH_MULTIBOOT1 || boot_info.path == BOOT_PATH_MULTIBOOT2 ||
             boot_info.path == BOOT_PATH_UEFI);
    ST_CHECK(boot_info.mmap_count > 0);
    ST_CHECK((boot_info.kernel_phys_base & 0xfff) == 0);
    ST_CHECK(boot_info_ram_bytes(&boot_info) >= (16ULL << 20));
    return 0;
}

static volatile int breakpoint_seen;
static int breakpoint_hook(struct trapframe *tf) {
    breakpoint_seen++;
    (void)tf; /* int3 is a trap: rip already points past it */
    return 1;
}

SELFTEST(idt_breakpoint, "core.idt_breakpoint") {
    breakpoint_seen = 0;
    exception_set_hook(3, breakpoint_hook);
    __asm__ volatile("int3");
    exception_set_hook(3, 0);
    ST_CHECK(breakpoint_seen == 1);
    return 0;
}

static volatile int ud_seen;
static int ud_hook(struct trapframe *tf) {
    ud_seen++;
    tf->rip += 2; /* skip the two-byte ud2 */
    return 1;
}

SELFTEST(idt_invalid_opcode, "core.idt_invalid_opcode") {
    ud_seen = 0;
    exception_set_hook(6, ud_hook);
    __asm__ volatile("ud2");
    exception_set_hook(6, 0);
    ST_CHECK(ud_seen == 1);
    return 0;
}

SELFTEST(timer, "core.timer_ticks") {
    ST_CHECK(cpu_flags() & (1u << 9)); /* interrupts are on */
    uint64_t t0 = timer_ticks();
    timer_sleep_ms(20);
    uint64_t dt = timer_ticks() - t0;
    ST_CHECK(dt >= 20 * TIMER_HZ / 1000);
    return 0;
}

/* The device wait the disk drivers use: it ends at its deadline when no
 * wakeup comes, and at once for a deadline already past. */
SELFTEST(sleep_until, "core.sleep_on_device_deadline") {
    static int chan;
    uint64_t t0 = timer_ticks();
    sleep_on_device(&chan, t0 + 5);
    ST_CHECK(timer_ticks() >= t0 + 5);
    ST_CHECK(timer_ticks() < t0 + 5 + TIMER_HZ);       /* woken by the deadline, not much later */
    uint64_t t1 = timer_ticks();
    sleep_on_device(&chan, t1 - 1);
    ST_CHECK(timer_ticks() - t1 <= 1);
    ST_CHECK(cpu_flags() & (1u << 9));                  /* interrupts as they were */
    return 0;
}

SELFTEST(paging_wx, "core.paging_no_wx") {
    struct paging_audit a;
    paging_audit(&a);
    ST_CHECK(a.wx_pages == 0);
    ST_CHECK(a.user_kernel_half == 0);
    ST_CHECK(a.lower_half_entries == 0); /* the boot identity map is gone */
    return 0;
}

SELFTEST(cpu_protections, "core.cpu_protections") {
    ST_CHECK(rdmsr(MSR_EFER) & EFER_NXE);
    ST_CHECK(read_cr0() & CR0_WP);
    ST_CHECK(!cpu_info.smep || (read_cr4() & CR4_SMEP));
    ST_CHECK(!cpu_info.smap || (read_cr4() & CR4_SMAP));
    ST_CHECK(!cpu_info.umip || (read_cr4() & CR4_UMIP));
    return 0;
}

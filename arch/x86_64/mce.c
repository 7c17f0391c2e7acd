/* Machine checks. Without CR4.MCE an uncorrected error shuts the processor
 * down (a reset without a word); with it the CPU raises #MC on IST3 and this
 * reports each bank on serial/debugcon before deciding. Like the NMI path it
 * may interrupt anything, so it writes with console_marker only until it
 * decides to panic. */
#include "arch/x86_64/nmi.h"
#include "arch/x86_64/cpu.h"
#include "lib/console_out.h"
#include "arch/x86_64/panic.h"

#define MSR_MCG_CAP    0x179u
#define MSR_MCG_STATUS 0x17Au
#define MSR_MCG_CTL    0x17Bu
#define MSR_MC0_CTL    0x400u  /* bank i: CTL 0x400+4i, STATUS +1, ADDR +2, MISC +3 */
#define MCG_CAP_CTL_P  (1ULL << 8)
#define MCG_STATUS_RIPV (1ULL << 0)
#define MCG_STATUS_MCIP (1ULL << 2)
#define MCI_STATUS_VAL   (1ULL << 63)
#define MCI_STATUS_UC    (1ULL << 61)
#define MCI_STATUS_MISCV (1ULL << 59)
#define MCI_STATUS_ADDRV (1ULL << 58)
#define MCI_STATUS_PCC   (1ULL << 57)
#define CPUID1_EDX_MCE (1u << 7)
#define CPUID1_EDX_MCA (1u << 14)
#define MAX_BANKS 32

static int have_mca;
static uint32_t banks;

void mce_init(void) {
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    if (!(d & CPUID1_EDX_MCE)) return;
    if (d & CPUID1_EDX_MCA) {
        have_mca = 1;
        uint64_t cap = rdmsr(MSR_MCG_CAP);
        banks = (uint32_t)(cap & 0xff);
        if (banks > MAX_BANKS) banks = MAX_BANKS;
        if (cap & MCG_CAP_CTL_P) wrmsr(MSR_MCG_CTL, ~0ULL);
        for (uint32_t i = 0; i < banks; i++) {
            uint64_t st = rdmsr(MSR_MC0_CTL + 4 * i + 1);
            if (st & MCI_STATUS_VAL) /* left over from before the last reset */
                kprintf("[MCE] bank %u logged before boot: status %#lx\n", i, st);
            if (i) wrmsr(MSR_MC0_CTL + 4 * i, ~0ULL); /* bank 0's CTL belongs to the firmware */
            wrmsr(MSR_MC0_CTL + 4 * i + 1, 0);
        }
    }
    write_cr4(read_cr4() | CR4_MCE);
}

void mce_handle(struct trapframe *tf) {
    uint64_t mcg = have_mca ? rdmsr(MSR_MCG_STATUS) : 0;
    int fatal = !(mcg & MCG_STATUS_RIPV);
    console_marker("[MCE] machine check at rip=%#lx in %s mode, MCG_STATUS=%#lx\n", tf->rip,
                   (tf->cs & 3) ? "user" : "kernel", mcg);
    for (uint32_t i = 0; i < banks; i++) {
        uint64_t st = rdmsr(MSR_MC0_CTL + 4 * i + 1);
        if (!(st & MCI_STATUS_VAL)) continue;
        uint64_t addr = (st & MCI_STATUS_ADDRV) ? rdmsr(MSR_MC0_CTL + 4 * i + 2) : 0;
        uint64_t misc = (st & MCI_STATUS_MISCV) ? rdmsr(MSR_MC0_CTL + 4 * i + 3) : 0;
        console_marker("[MCE] bank %u status=%#lx addr=%#lx misc=%#lx%s%s\n", i, st, addr, misc,
                       (st & MCI_STATUS_UC) ? " uncorrected" : " corrected",
                       (st & MCI_STATUS_PCC) ? " context-corrupt" : "");
        if (st & MCI_STATUS_PCC) fatal = 1;
        if (!fatal) wrmsr(MSR_MC0_CTL + 4 * i + 1, 0);
    }
    if (fatal)
        panic_halt("machine check: %s; the machine cannot go on",
                   (mcg & MCG_STATUS_RIPV) ? "processor context corrupt" : "no valid return address");
    /* Clearing MCIP re-arms #MC; a second one while it is set shuts down. */
    if (have_mca) wrmsr(MSR_MCG_STATUS, mcg & ~MCG_STATUS_MCIP);
    console_marker("[MCE] recovered, execution continues\n");
}

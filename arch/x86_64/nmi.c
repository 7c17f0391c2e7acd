/* The NMI path. It can interrupt anything, including kprintf halfway through
 * a line or the display driver halfway through a glyph, so it writes only to
 * serial and debugcon (console_marker: polled port writes, no shared state)
 * and touches no lock, no heap and no per-CPU data (GS may still be the
 * user's when it lands in the SYSCALL entry). NMIs stay blocked by the CPU
 * until the iretq at the end, so this never nests. */
#include "arch/x86_64/nmi.h"
#include "arch/x86_64/io.h"
#include "lib/console_out.h"

#define PORT_B 0x61
#define PORT_B_SERR   0x80   /* PCI SERR# / memory parity */
#define PORT_B_IOCHK  0x40   /* ISA IOCHK# */
#define PORT_B_CLEAR_SERR  0x04
#define PORT_B_CLEAR_IOCHK 0x08

static volatile uint64_t nmis;

uint64_t nmi_count(void) { return nmis; }

void nmi_handle(struct trapframe *tf) {
    uint8_t reason = inb(PORT_B);
    uint64_t n = ++nmis;
    const char *why = (reason & PORT_B_SERR) ? "SERR (system/memory error)"
                      : (reason & PORT_B_IOCHK) ? "IOCHK (I/O channel check)"
                      : "no reason latched (NMI button, BMC or watchdog)";
    console_marker("[NMI] #%lu: %s, port 0x61=%#x, at rip=%#lx in %s mode; ignored\n", n, why, reason,
                   tf->rip, (tf->cs & 3) ? "user" : "kernel");
    /* Re-arm the latches: pulse the clear bits, keep the speaker/PIT-gate bits
     * (0-1); bits 4-7 are read-only status. */
    if (reason & (PORT_B_SERR | PORT_B_IOCHK)) {
        uint8_t keep = reason & 0x03;
        outb(PORT_B, keep | PORT_B_CLEAR_SERR | PORT_B_CLEAR_IOCHK);
        outb(PORT_B, keep);
    }
}

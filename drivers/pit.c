/* The 8254 PIT, channel 0 in rate-generator mode: the kernel's tick. */
#include "drivers/pit.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trapframe.h"

#define PIT_INPUT_HZ 1193182u

static volatile uint64_t ticks;

void sched_tick(struct trapframe *tf);

static void pit_irq(struct trapframe *tf) {
    ticks++;
    sched_tick(tf); /* may switch tasks: the PIC already has its EOI */
}

void pit_init(void) {
    uint32_t divisor = (PIT_INPUT_HZ + TIMER_HZ / 2) / TIMER_HZ;
    outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
    outb(0x40, divisor & 0xff);
    outb(0x40, (divisor >> 8) & 0xff);
    irq_register(0, pit_irq);
    pic_unmask(0);
}

uint64_t timer_ticks(void) { return ticks; }
uint64_t timer_uptime_ms(void) { return ticks * 1000 / TIMER_HZ; }

void timer_sleep_ms(uint64_t ms) {
    uint64_t end = ticks + (ms * TIMER_HZ + 999) / 1000;
    while (ticks < end) cpu_sti_hlt();
}

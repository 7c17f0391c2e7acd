/* The 8254 PIT, channel 0 in rate-generator mode: the kernel's tick. */
#include "drivers/pit.h"
#include "kernel/time.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/trapframe.h"

#define PIT_INPUT_HZ 1193182u

void pit_init(void) {
    uint32_t divisor = (PIT_INPUT_HZ + TIMER_HZ / 2) / TIMER_HZ;
    outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
    outb(0x40, divisor & 0xff);
    outb(0x40, (divisor >> 8) & 0xff);
    irq_register(0, time_tick);
    pic_unmask(0);
}

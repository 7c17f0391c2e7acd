#include "kernel/input.h"
#include "kernel/proc.h"
#include "arch/x86_64/cpu.h"
#include "lib/ringbuf.h"
#include "secos/errno.h"

static struct ringbuf input;
static void (*resume_hook)(void);
static void (*interrupt_hook)(void);
static void (*arrival_hook)(void);
static volatile int kicked;

void console_input_init(void) { ringbuf_init(&input); }

void console_input_set_resume_hook(void (*fn)(void)) { resume_hook = fn; }

void console_input_set_interrupt_hook(void (*fn)(void)) { interrupt_hook = fn; }

void console_input_set_arrival_hook(void (*fn)(void)) { arrival_hook = fn; }

int console_input_available(void) { return ringbuf_count(&input) != 0; }

void console_input_push(uint8_t byte) {
    if (byte == 0x03 && interrupt_hook) {
        interrupt_hook();
        return;
    }
    ringbuf_put(&input, byte);
    wakeup(&input);
    if (arrival_hook) arrival_hook();
}

uint32_t console_input_room(void) { return (uint32_t)(RINGBUF_SIZE - ringbuf_count(&input)); }

static void resume(void) {
    if (resume_hook) resume_hook();
}

int console_try_getc(uint8_t *byte) {
    uint64_t f = irq_save();
    int r = ringbuf_get(&input, byte);
    if (r == 0) resume();
    irq_restore(f);
    return r;
}

int console_getc(uint8_t *byte) {
    uint64_t f = irq_save();
    /* Interrupts stay off between the check and the sleep, so a byte that
     * arrives in between cannot be missed. */
    while (ringbuf_get(&input, byte) != 0) {
        if (sleep_on(&input) < 0) {
            irq_restore(f);
            return -EINTR;
        }
    }
    resume();
    irq_restore(f);
    return 0;
}

void console_input_kick(void) {
    uint64_t f = irq_save();
    kicked = 1;
    wakeup(&input);
    irq_restore(f);
}

int console_wait_input(uint8_t *byte) {
    uint64_t f = irq_save();
    for (;;) {
        if (ringbuf_get(&input, byte) == 0) {
            resume();
            irq_restore(f);
            return 1;
        }
        if (kicked) {
            kicked = 0;
            irq_restore(f);
            return 0;
        }
        sleep_on(&input);
    }
}

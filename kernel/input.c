#include "kernel/input.h"
#include "kernel/proc.h"
#include "arch/x86_64/cpu.h"
#include "lib/ringbuf.h"

static struct ringbuf input;
static void (*resume_hook)(void);
static const struct console_input_receiver *receiver;
static volatile int kicked;

void console_input_init(void) { ringbuf_init(&input); }

void console_input_set_resume_hook(void (*fn)(void)) { resume_hook = fn; }

static void resume(void) {
    if (resume_hook) resume_hook();
}

void console_input_push(uint8_t byte) {
    if (receiver) {
        receiver->put(byte);
        return;
    }
    ringbuf_put(&input, byte);
    wakeup(&input);
}

void console_input_set_receiver(const struct console_input_receiver *r) {
    uint64_t f = irq_save();
    receiver = r;
    if (r) { /* typed ahead: the new reader's, in order, before anything newer */
        uint8_t b;
        while (ringbuf_get(&input, &b) == 0) r->put(b);
    }
    resume();
    irq_restore(f);
}

void console_input_resume(void) {
    uint64_t f = irq_save();
    resume();
    irq_restore(f);
}

uint32_t console_input_room(void) {
    if (receiver) return receiver->room();
    return (uint32_t)(RINGBUF_SIZE - ringbuf_count(&input));
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

/* PS/2 keyboard glue: reads scancodes from the 8042 controller and hands
 * them to the pure decoder in lib/kbd_decode.c. The controller is left in
 * the state firmware set up (translation to set 1 on, IRQ1 enabled); IRQ1
 * routing and the PIC belong to the interrupt code, not here. */
#include "drivers/keyboard.h"
#include "arch/x86_64/io.h"
#include "lib/console_out.h"
#include "kernel/input.h"
#include "lib/kbd_decode.h"

#define I8042_DATA   0x60
#define I8042_STATUS 0x64
#define STATUS_OUT_FULL 0x01 /* a byte is waiting at port 0x60 */
#define STATUS_AUX      0x20 /* ...and it came from the mouse port */

/* A real controller holds at most a few bytes; with no controller at all the
 * status port floats to 0xFF, so the flush loop must be bounded. */
#define FLUSH_MAX 64

static struct kbd_state kbd;

void keyboard_init(void) {
    kbd_reset(&kbd);
    /* Drop keys pressed before we were ready (and any stale controller
     * reply) so the first IRQ1 starts on a clean scancode boundary. */
    for (int i = 0; i < FLUSH_MAX && (inb(I8042_STATUS) & STATUS_OUT_FULL); i++)
        (void)inb(I8042_DATA);
}

void keyboard_irq(void) {
    uint8_t status = inb(I8042_STATUS);
    if (!(status & STATUS_OUT_FULL)) return; /* spurious or already drained */
    uint8_t sc = inb(I8042_DATA);
    if (status & STATUS_AUX) return;         /* mouse byte: not ours */
    int c = kbd_feed(&kbd, sc);
    if (c != KBD_NONE) console_input_push((uint8_t)c);
}

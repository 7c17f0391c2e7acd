/* PS/2 scancode set 1 decoder for a US keyboard, as a pure state machine:
 * no I/O, so the same code runs in the kernel and in host unit tests.
 *
 * Feed it every byte read from port 0x60. It tracks both shifts, both ctrls
 * and caps lock (letters only; shift inverts it), and returns an ASCII byte
 * for a key press:
 *   printable keys, Enter and keypad Enter -> '\n', Backspace -> '\b',
 *   Tab -> '\t', Esc -> 0x1b, Ctrl+letter -> 0x01..0x1a,
 *   keypad * - + -> themselves.
 * Everything else returns KBD_NONE: key releases (bit 7), the other 0xE0
 * extended keys (arrows, right Alt, the fake shifts some keyboards send
 * around them...), the 0xE1 Pause sequence, function keys, keypad digits
 * (their meaning depends on Num Lock, which is not tracked), controller
 * replies such as 0xFA ACK, and unknown codes. */
#ifndef LIB_KBD_DECODE_H
#define LIB_KBD_DECODE_H
#include <stdint.h>

#define KBD_NONE (-1)

struct kbd_state {
    uint8_t lshift, rshift; /* held */
    uint8_t lctrl, rctrl;   /* held */
    uint8_t caps_lock;      /* toggled on */
    uint8_t caps_held;      /* so typematic repeats of Caps Lock don't re-toggle */
    uint8_t e0;             /* previous byte was the 0xE0 prefix */
    uint8_t skip;           /* bytes of an 0xE1 (Pause) sequence still to swallow */
};

void kbd_reset(struct kbd_state *st);
/* Returns the ASCII byte (0..127) produced by this scancode, or KBD_NONE. */
int kbd_feed(struct kbd_state *st, uint8_t scancode);

#endif

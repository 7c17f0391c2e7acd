#include "lib/kbd_decode.h"

/* Set 1 make codes 0x00..0x58. A 0 entry means "no character" (modifiers,
 * function keys, keypad digits, unused codes). */
#define KEYMAP_SIZE 0x59

static const char keymap_plain[KEYMAP_SIZE] = {
    [0x01] = 0x1b,
    [0x02] = '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b',
    [0x0f] = '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n',
    [0x1e] = 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
    [0x2b] = '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/',
    [0x37] = '*',
    [0x39] = ' ',
    [0x4a] = '-',
    [0x4e] = '+',
};

static const char keymap_shift[KEYMAP_SIZE] = {
    [0x01] = 0x1b,
    [0x02] = '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b',
    [0x0f] = '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n',
    [0x1e] = 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
    [0x2b] = '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?',
    [0x37] = '*',
    [0x39] = ' ',
    [0x4a] = '-',
    [0x4e] = '+',
};

enum {
    SC_LCTRL = 0x1d, SC_LSHIFT = 0x2a, SC_RSHIFT = 0x36, SC_CAPS = 0x3a,
    SC_ENTER = 0x1c, /* with 0xE0: keypad Enter; 0x1d with 0xE0: right Ctrl */
    SC_RELEASE = 0x80,
    PREFIX_E0 = 0xe0, PREFIX_E1 = 0xe1,
};

void kbd_reset(struct kbd_state *st) {
    *st = (struct kbd_state){0};
}

static int is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int kbd_feed(struct kbd_state *st, uint8_t sc) {
    if (st->skip) { /* rest of Pause: E1 1D 45 E1 9D C5 */
        st->skip--;
        return KBD_NONE;
    }
    if (sc == PREFIX_E1) {
        st->skip = 2;
        st->e0 = 0;
        return KBD_NONE;
    }
    if (sc == PREFIX_E0) {
        st->e0 = 1;
        return KBD_NONE;
    }

    int released = (sc & SC_RELEASE) != 0;
    uint8_t code = sc & (uint8_t)~SC_RELEASE;

    if (st->e0) {
        st->e0 = 0;
        /* Only right Ctrl and keypad Enter matter. E0 2A / E0 36 are "fake
         * shifts" around arrows etc. and must not touch the shift state. */
        if (code == SC_LCTRL) st->rctrl = !released;
        else if (code == SC_ENTER && !released) return '\n';
        return KBD_NONE;
    }

    switch (code) {
    case SC_LSHIFT: st->lshift = !released; return KBD_NONE;
    case SC_RSHIFT: st->rshift = !released; return KBD_NONE;
    case SC_LCTRL:  st->lctrl = !released;  return KBD_NONE;
    case SC_CAPS:
        if (!released && !st->caps_held) st->caps_lock = !st->caps_lock;
        st->caps_held = !released;
        return KBD_NONE;
    }
    if (released || code >= KEYMAP_SIZE) return KBD_NONE;

    int shift = st->lshift || st->rshift;
    char c = shift ? keymap_shift[code] : keymap_plain[code];
    if (c == 0) return KBD_NONE;
    if (is_letter(c)) {
        /* Caps lock flips the case of letters only; with shift it cancels. */
        if (st->caps_lock) c = shift ? keymap_plain[code] : keymap_shift[code];
        if (st->lctrl || st->rctrl) return c & 0x1f;
    }
    return (unsigned char)c;
}

#include "lib/glyph.h"

int utf8_feed(struct utf8_decoder *d, uint8_t c, uint32_t *cp) {
    if (c < 0x80) {
        int broke = d->left != 0;
        d->left = 0;
        *cp = c;
        return broke ? UTF8_BAD : UTF8_DONE; /* the ASCII byte is in *cp either way */
    }
    if ((c & 0xC0) == 0x80) {
        if (d->left == 0) return UTF8_BAD;
        d->cp = (d->cp << 6) | (c & 0x3F);
        if (--d->left) return UTF8_MORE;
        *cp = d->cp;
        return UTF8_DONE;
    }
    int broke = d->left != 0;
    if ((c & 0xE0) == 0xC0) { d->cp = c & 0x1F; d->left = 1; }
    else if ((c & 0xF0) == 0xE0) { d->cp = c & 0x0F; d->left = 2; }
    else if ((c & 0xF8) == 0xF0) { d->cp = c & 0x07; d->left = 3; }
    else { d->left = 0; return UTF8_BAD; }
    return broke ? UTF8_BAD : UTF8_MORE;
}

static const struct { uint16_t cp; uint8_t cp437; char ascii; } box[] = {
    { 0x2500, 0xC4, '-' }, { 0x2502, 0xB3, '|' }, { 0x251C, 0xC3, '+' }, { 0x2514, 0xC0, '`' },
    { 0x250C, 0xDA, '+' }, { 0x2510, 0xBF, '+' }, { 0x2518, 0xD9, '+' }, { 0x2524, 0xB4, '+' },
};

uint8_t glyph_cp437(uint32_t cp) {
    if (cp < 0x80) return (uint8_t)cp;
    for (unsigned i = 0; i < sizeof box / sizeof box[0]; i++)
        if (box[i].cp == cp) return box[i].cp437;
    return '?';
}

uint8_t glyph_latin1(uint32_t cp) {
    if (cp < 0x100) return (uint8_t)cp;
    for (unsigned i = 0; i < sizeof box / sizeof box[0]; i++)
        if (box[i].cp == cp) return (uint8_t)box[i].ascii;
    return '?';
}

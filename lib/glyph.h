/* UTF-8 output to 256-glyph displays: a byte-at-a-time UTF-8 decoder and
 * the mapping of code points to the glyphs a font has (VGA text: code page
 * 437; the framebuffer font: Latin-1). Pure, host-tested. */
#ifndef LIB_GLYPH_H
#define LIB_GLYPH_H
#include <stdint.h>

struct utf8_decoder {
    uint32_t cp;
    int left; /* continuation bytes still expected */
};

enum { UTF8_MORE = 0, UTF8_DONE = 1, UTF8_BAD = -1 };

/* Feeds one byte. UTF8_DONE: *cp holds a code point. UTF8_BAD: the byte
 * broke a sequence (the caller shows a replacement); if the bad byte starts
 * a new sequence, decoding continues with it. */
int utf8_feed(struct utf8_decoder *d, uint8_t byte, uint32_t *cp);

uint8_t glyph_cp437(uint32_t cp);  /* '?' when the code page has no glyph */
uint8_t glyph_latin1(uint32_t cp); /* box drawing falls back to ASCII */

#endif

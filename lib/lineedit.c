#include "lib/lineedit.h"

void line_editor_init(struct line_editor *le) {
    le->last_was_cr = 0;
    line_editor_reset(le);
}

void line_editor_reset(struct line_editor *le) {
    le->len = 0;
    le->overflowed = 0;
    le->buf[0] = '\0';
}

enum line_event line_editor_feed(struct line_editor *le, unsigned char c) {
    int was_cr = le->last_was_cr;
    le->last_was_cr = (c == '\r');
    if (c == '\r' || c == '\n') {
        if (c == '\n' && was_cr) return LINE_NONE;
        le->buf[le->len] = '\0';
        return le->overflowed ? LINE_TOO_LONG : LINE_DONE;
    }
    if (c == '\b' || c == 0x7f) {
        if (le->overflowed) return LINE_NONE; /* the line is refused anyway */
        if (le->len == 0) return LINE_NONE;
        le->len--;
        le->buf[le->len] = '\0';
        return LINE_ERASE;
    }
    if (c < 0x20 || c > 0x7e) return LINE_NONE; /* control bytes and non-ASCII */
    if (le->len >= LINE_MAX_LEN) {
        le->overflowed = 1;
        return LINE_NONE;
    }
    le->buf[le->len++] = (char)c;
    return LINE_ECHO;
}

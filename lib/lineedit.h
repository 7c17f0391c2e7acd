/* The shell's line editor as a pure state machine: feed it one input byte at a
 * time and it says what to show. Printable ASCII is appended, backspace/DEL
 * erase, CR or LF ends the line, every other byte is ignored. A line that
 * grows past the buffer is not cut: it is marked overflowed and refused
 * whole when it ends. */
#ifndef LIB_LINEEDIT_H
#define LIB_LINEEDIT_H
#include <stddef.h>

#define LINE_MAX_LEN 256 /* characters, excluding the NUL */

enum line_event {
    LINE_NONE,      /* nothing to show */
    LINE_ECHO,      /* show the byte */
    LINE_ERASE,     /* erase one character on screen ("\b \b") */
    LINE_DONE,      /* line complete: buf holds it, NUL-terminated */
    LINE_TOO_LONG,  /* line ended but was longer than LINE_MAX_LEN: refused */
};

struct line_editor {
    char buf[LINE_MAX_LEN + 1];
    size_t len;
    int overflowed;
    int last_was_cr; /* swallow the LF of a CRLF pair */
};

/* init: the whole state (use once, on any memory); reset: between lines,
 * remembering a trailing CR so the LF of a CRLF pair is not a second line. */
void line_editor_init(struct line_editor *le);
void line_editor_reset(struct line_editor *le);
enum line_event line_editor_feed(struct line_editor *le, unsigned char c);

#endif

/* The console's line editor as a pure state machine: feed it one input byte
 * at a time; it edits its buffer and leaves in `out` the bytes to show.
 *
 * Keys (readline's): printable ASCII is inserted at the cursor; Backspace
 * (BS or DEL) erases before it; Left/Right (or Ctrl-B/Ctrl-F), Home/End (or
 * Ctrl-A/Ctrl-E) move; Delete (or Ctrl-D) erases under it; Ctrl-U kills to
 * the start, Ctrl-K to the end, Ctrl-W the word before the cursor; Up/Down
 * (or Ctrl-P/Ctrl-N) walk the history; Ctrl-C cancels the line; CR or LF
 * ends it (a CR LF pair is one line end). Escape sequences are consumed
 * whole (CSI "ESC [ params final", SS3 "ESC O x"), known or not; every other
 * byte is ignored. A line that grows past the buffer is not cut: it is
 * marked overflowed and refused whole when it ends.
 *
 * Output uses only printable bytes, BS (cursor left) and CR-free redraws, so
 * it works the same on a serial terminal, VGA text and the framebuffer. It
 * assumes the line fits on one screen row. */
#ifndef LIB_LINEEDIT_H
#define LIB_LINEEDIT_H
#include <stddef.h>

#define LINE_MAX_LEN 256    /* characters, excluding the NUL */
#define LINE_HISTORY 16     /* lines remembered for Up/Down */
#define LINE_OUT_MAX (4 * LINE_MAX_LEN + 8) /* the most one byte can make us show */

enum line_event {
    LINE_NONE,      /* keep going (show `out`) */
    LINE_DONE,      /* line complete: buf holds it, NUL-terminated */
    LINE_TOO_LONG,  /* line ended but was longer than LINE_MAX_LEN: refused */
    LINE_CANCEL,    /* Ctrl-C: the line is dropped (out holds "^C") */
};

struct line_editor {
    char buf[LINE_MAX_LEN + 1];
    size_t len;             /* characters in buf */
    size_t pos;             /* cursor, 0..len */
    int overflowed;
    int last_was_cr;        /* swallow the LF of a CRLF pair */
    int esc;                /* escape-sequence state (lineedit.c) */
    unsigned esc_param;     /* CSI numeric parameter so far */
    unsigned esc_len;       /* CSI bytes so far (bounded) */
    char out[LINE_OUT_MAX];
    size_t out_len;         /* bytes of out to show after each feed */
    /* History: hist[(hist_head - 1 - i) % LINE_HISTORY] is the i-th newest. */
    char hist[LINE_HISTORY][LINE_MAX_LEN + 1];
    unsigned hist_count, hist_head;
    int hist_at;            /* -1: editing a new line; else index into the history */
    char saved[LINE_MAX_LEN + 1]; /* the new line, kept while browsing the history */
};

/* init: the whole state, history included (use once, on any memory); reset:
 * between lines, remembering a trailing CR so the LF of a CRLF pair is not a
 * second line. */
void line_editor_init(struct line_editor *le);
void line_editor_reset(struct line_editor *le);
enum line_event line_editor_feed(struct line_editor *le, unsigned char c);
/* Remembers a finished line (not empty, not the same as the newest). */
void line_editor_history_add(struct line_editor *le, const char *line);
/* The current line and then BS back to the cursor: what to show after the
 * prompt to redraw it. Returns the byte count (at most cap, which must be
 * at least 2 * LINE_MAX_LEN to hold every line). */
size_t line_editor_render(const struct line_editor *le, char *out, size_t cap);

#endif

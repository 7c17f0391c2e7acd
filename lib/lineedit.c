#include "lib/lineedit.h"
#include "lib/string.h"

/* Escape-sequence states. */
enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };
#define ESC_MAX_BYTES 16 /* a longer CSI sequence is dropped when it ends */

#define CTRL(c) ((c) & 0x1f)

void line_editor_init(struct line_editor *le) {
    le->last_was_cr = 0;
    le->hist_count = le->hist_head = 0;
    line_editor_reset(le);
}

void line_editor_reset(struct line_editor *le) {
    le->len = le->pos = 0;
    le->overflowed = 0;
    le->buf[0] = '\0';
    le->esc = ESC_NONE;
    le->esc_param = le->esc_len = 0;
    le->out_len = 0;
    le->hist_at = -1;
}

/* --- output: every helper appends to le->out, which always has room ------- */

static void emit(struct line_editor *le, char c) {
    if (le->out_len < LINE_OUT_MAX) le->out[le->out_len++] = c;
}

static void emit_n(struct line_editor *le, char c, size_t n) {
    while (n--) emit(le, c);
}

static void emit_str(struct line_editor *le, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) emit(le, s[i]);
}

/* After the buffer changed from the cursor on: shows buf[pos..len), blanks
 * `cleared` cells that the old line had beyond it, and moves back to pos. */
static void redraw_tail(struct line_editor *le, size_t cleared) {
    emit_str(le, le->buf + le->pos, le->len - le->pos);
    emit_n(le, ' ', cleared);
    emit_n(le, '\b', le->len - le->pos + cleared);
}

/* --- editing -------------------------------------------------------------- */

static void insert(struct line_editor *le, char c) {
    if (le->len >= LINE_MAX_LEN) {
        le->overflowed = 1;
        return;
    }
    memmove(le->buf + le->pos + 1, le->buf + le->pos, le->len - le->pos);
    le->buf[le->pos] = c;
    le->len++;
    le->buf[le->len] = '\0';
    emit(le, c);
    le->pos++;
    if (le->pos < le->len) redraw_tail(le, 0);
}

/* Removes n characters before the cursor. */
static void erase_before(struct line_editor *le, size_t n) {
    if (n == 0) return;
    memmove(le->buf + le->pos - n, le->buf + le->pos, le->len - le->pos);
    le->pos -= n;
    le->len -= n;
    le->buf[le->len] = '\0';
    emit_n(le, '\b', n);
    redraw_tail(le, n);
}

/* Removes n characters from the cursor on. */
static void erase_at(struct line_editor *le, size_t n) {
    if (n == 0) return;
    memmove(le->buf + le->pos, le->buf + le->pos + n, le->len - le->pos - n);
    le->len -= n;
    le->buf[le->len] = '\0';
    redraw_tail(le, n);
}

static void move_to(struct line_editor *le, size_t pos) {
    if (pos < le->pos) emit_n(le, '\b', le->pos - pos);
    else emit_str(le, le->buf + le->pos, pos - le->pos);
    le->pos = pos;
}

static size_t word_start(const struct line_editor *le) {
    size_t p = le->pos;
    while (p > 0 && le->buf[p - 1] == ' ') p--;
    while (p > 0 && le->buf[p - 1] != ' ') p--;
    return p;
}

/* Replaces the whole line with s, cursor at its end. */
static void replace_line(struct line_editor *le, const char *s) {
    size_t old = le->len;
    move_to(le, 0);
    size_t n = strlen(s);
    if (n > LINE_MAX_LEN) n = LINE_MAX_LEN;
    memcpy(le->buf, s, n);
    le->buf[n] = '\0';
    le->len = n;
    emit_str(le, le->buf, n);
    le->pos = n;
    if (old > n) {
        emit_n(le, ' ', old - n);
        emit_n(le, '\b', old - n);
    }
}

/* --- history -------------------------------------------------------------- */

static const char *history_entry(const struct line_editor *le, unsigned i) { /* 0 = newest */
    return le->hist[(le->hist_head + LINE_HISTORY - 1 - i) % LINE_HISTORY];
}

void line_editor_history_add(struct line_editor *le, const char *line) {
    if (line[0] == '\0') return;
    if (le->hist_count && strcmp(history_entry(le, 0), line) == 0) return;
    strlcpy(le->hist[le->hist_head], line, sizeof le->hist[0]);
    le->hist_head = (le->hist_head + 1) % LINE_HISTORY;
    if (le->hist_count < LINE_HISTORY) le->hist_count++;
}

static void history_step(struct line_editor *le, int older) {
    int at = le->hist_at + (older ? 1 : -1);
    if (at < -1 || at >= (int)le->hist_count) return;
    if (le->hist_at == -1) strlcpy(le->saved, le->buf, sizeof le->saved);
    le->hist_at = at;
    replace_line(le, at == -1 ? le->saved : history_entry(le, (unsigned)at));
}

/* --- keys ----------------------------------------------------------------- */

enum key { K_NONE, K_LEFT, K_RIGHT, K_HOME, K_END, K_DEL, K_UP, K_DOWN };

static void key(struct line_editor *le, enum key k) {
    switch (k) {
    case K_LEFT: if (le->pos > 0) move_to(le, le->pos - 1); break;
    case K_RIGHT: if (le->pos < le->len) move_to(le, le->pos + 1); break;
    case K_HOME: move_to(le, 0); break;
    case K_END: move_to(le, le->len); break;
    case K_DEL: if (le->pos < le->len) erase_at(le, 1); break;
    case K_UP: history_step(le, 1); break;
    case K_DOWN: history_step(le, 0); break;
    case K_NONE: break;
    }
}

/* The final byte of "ESC [ n final" or "ESC O final". */
static enum key csi_key(unsigned param, unsigned char final) {
    switch (final) {
    case 'A': return K_UP;
    case 'B': return K_DOWN;
    case 'C': return K_RIGHT;
    case 'D': return K_LEFT;
    case 'H': return K_HOME;
    case 'F': return K_END;
    case '~':
        switch (param) {
        case 1: case 7: return K_HOME;
        case 4: case 8: return K_END;
        case 3: return K_DEL;
        default: return K_NONE; /* Insert, PgUp, PgDn, F-keys */
        }
    default: return K_NONE;
    }
}

/* 1 if c was part of an escape sequence (consumed). */
static int escape_byte(struct line_editor *le, unsigned char c) {
    switch (le->esc) {
    case ESC_START:
        le->esc = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
        le->esc_param = le->esc_len = 0;
        return le->esc != ESC_NONE; /* ESC then anything else: the ESC is dropped */
    case ESC_SS3:
        le->esc = ESC_NONE;
        if (!le->overflowed) key(le, csi_key(0, c));
        return 1;
    case ESC_CSI:
        if (c >= 0x40 && c <= 0x7e) { /* final byte */
            le->esc = ESC_NONE;
            if (!le->overflowed && le->esc_len <= ESC_MAX_BYTES) key(le, csi_key(le->esc_param, c));
            return 1;
        }
        if (c < 0x20 || c > 0x3f) { /* not a parameter or intermediate byte: abandon */
            le->esc = ESC_NONE;
            return 0;
        }
        le->esc_len++;
        if (c >= '0' && c <= '9' && le->esc_param < 1000) le->esc_param = le->esc_param * 10 + (unsigned)(c - '0');
        return 1;
    default:
        return 0;
    }
}

enum line_event line_editor_feed(struct line_editor *le, unsigned char c) {
    le->out_len = 0;
    int was_cr = le->last_was_cr;
    le->last_was_cr = (c == '\r');
    if (escape_byte(le, c)) return LINE_NONE;
    if (c == '\r' || c == '\n') {
        le->esc = ESC_NONE;
        if (c == '\n' && was_cr) return LINE_NONE;
        le->buf[le->len] = '\0';
        return le->overflowed ? LINE_TOO_LONG : LINE_DONE;
    }
    if (c == CTRL('C')) {
        emit_str(le, "^C", 2);
        return LINE_CANCEL;
    }
    if (c == 0x1b) {
        le->esc = ESC_START;
        return LINE_NONE;
    }
    if (le->overflowed) return LINE_NONE; /* the line is refused anyway */
    switch (c) {
    case '\b': case 0x7f: if (le->pos > 0) erase_before(le, 1); break;
    case CTRL('A'): key(le, K_HOME); break;
    case CTRL('E'): key(le, K_END); break;
    case CTRL('B'): key(le, K_LEFT); break;
    case CTRL('F'): key(le, K_RIGHT); break;
    case CTRL('D'): key(le, K_DEL); break;
    case CTRL('P'): key(le, K_UP); break;
    case CTRL('N'): key(le, K_DOWN); break;
    case CTRL('U'): erase_before(le, le->pos); break;
    case CTRL('K'): erase_at(le, le->len - le->pos); break;
    case CTRL('W'): erase_before(le, le->pos - word_start(le)); break;
    default:
        if (c >= 0x20 && c <= 0x7e) insert(le, (char)c); /* other control bytes and non-ASCII: ignored */
        break;
    }
    return LINE_NONE;
}

size_t line_editor_render(const struct line_editor *le, char *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < le->len && n < cap; i++) out[n++] = le->buf[i];
    for (size_t i = le->pos; i < le->len && n < cap; i++) out[n++] = '\b';
    return n;
}

/* The line discipline (tty/ldisc.h says what and the invariants). Pure. */
#include "tty/ldisc.h"
#include "lib/string.h"

#define AT(ld, i) (((ld)->head + (i)) % LDISC_CAP)

void ldisc_init(struct ldisc *ld, const struct ktermios *t) {
    memset(ld, 0, sizeof *ld);
    ld->t = *t;
}

static int canon(const struct ldisc *ld) { return (ld->t.c_lflag & ICANON) != 0; }

void ldisc_set_termios(struct ldisc *ld, const struct ktermios *t) {
    int was = canon(ld);
    ld->t = *t;
    if (was == canon(ld)) return;
    /* Marks only mean something in canonical mode: a switch starts clean. */
    for (uint32_t i = 0; i < ld->count; i++) ld->mark[AT(ld, i)] = 0;
    ld->ready = canon(ld) ? 0 : ld->count;
    ld->lines = 0;
    if (!(ld->t.c_iflag & IXON)) ld->stopped = 0;
}

void ldisc_flush_input(struct ldisc *ld) {
    ld->head = ld->count = ld->ready = ld->lines = 0;
}

uint32_t ldisc_output(const struct ktermios *t, const uint8_t *in, uint32_t len, uint8_t *out, uint32_t cap,
                      uint32_t *used) {
    uint32_t o = 0, i = 0;
    int post = (t->c_oflag & OPOST) != 0;
    for (; i < len; i++) {
        uint8_t c = in[i];
        if (post && c == '\n' && (t->c_oflag & ONLCR)) {
            if (o + 2 > cap) break;
            out[o++] = '\r';
            out[o++] = '\n';
            continue;
        }
        if (o + 1 > cap) break;
        if (post && c == '\r' && (t->c_oflag & OCRNL)) c = '\n';
        if (post && (t->c_oflag & OLCUC) && c >= 'a' && c <= 'z') c = (uint8_t)(c - 'a' + 'A');
        out[o++] = c;
    }
    *used = i;
    return o;
}

/* Echo goes through output processing too (a typed newline shows as CR LF). */
static void echo_bytes(struct ldisc *ld, const uint8_t *s, uint32_t n) {
    uint32_t used;
    ld->echo_len += ldisc_output(&ld->t, s, n, ld->echo + ld->echo_len, LDISC_ECHO_MAX - ld->echo_len, &used);
}

static int is_ctl(uint8_t c) { return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f; }

/* A typed byte as the screen shows it: ^X for control bytes under ECHOCTL. */
static void echo_char(struct ldisc *ld, uint8_t c) {
    if ((ld->t.c_lflag & ECHOCTL) && is_ctl(c)) {
        uint8_t two[2] = { '^', (uint8_t)(c ^ 0x40) };
        echo_bytes(ld, two, 2);
    } else {
        echo_bytes(ld, &c, 1);
    }
}

/* How many columns erasing c takes back (a ^X is two). */
static int width(const struct ldisc *ld, uint8_t c) { return (ld->t.c_lflag & ECHOCTL) && is_ctl(c) ? 2 : 1; }

/* Removes the last byte of the line being edited; 0 when there is none. */
static int erase_one(struct ldisc *ld, int visual) {
    if (ld->count == ld->ready) return 0;
    uint8_t c = ld->buf[AT(ld, ld->count - 1)];
    ld->count--;
    if (visual)
        for (int w = width(ld, c); w > 0; w--) echo_bytes(ld, (const uint8_t *)"\b \b", 3);
    return 1;
}

static uint8_t last_edit(const struct ldisc *ld) { return ld->buf[AT(ld, ld->count - 1)]; }

static int is_space(uint8_t c) { return c == ' ' || c == '\t'; }

static void store(struct ldisc *ld, uint8_t c, uint8_t mark) {
    uint32_t pos = AT(ld, ld->count);
    ld->buf[pos] = c;
    ld->mark[pos] = mark;
    ld->count++;
    if (mark || !canon(ld)) {
        ld->ready = ld->count;
        if (mark) ld->lines++;
    }
}

static int cc_is(const struct ldisc *ld, int idx, uint8_t c) {
    return ld->t.c_cc[idx] != TTY_VDISABLE && ld->t.c_cc[idx] == c;
}

static enum ldisc_event canonical_input(struct ldisc *ld, uint8_t c) {
    uint32_t lf = ld->t.c_lflag;
    int echo = (lf & ECHO) != 0;
    if (cc_is(ld, VERASE, c)) {
        int removed = erase_one(ld, echo && (lf & ECHOE));
        if (removed && echo && !(lf & ECHOE)) echo_char(ld, c);
        return LDISC_NONE;
    }
    if (cc_is(ld, VWERASE, c) && (lf & IEXTEN)) {
        int visual = echo && (lf & ECHOE);
        int any = 0;
        while (ld->count > ld->ready && is_space(last_edit(ld))) any |= erase_one(ld, visual);
        while (ld->count > ld->ready && !is_space(last_edit(ld))) any |= erase_one(ld, visual);
        if (any && echo && !visual) echo_char(ld, c);
        return LDISC_NONE;
    }
    if (cc_is(ld, VKILL, c)) {
        int visual = echo && (lf & (ECHOKE | ECHOE)) == (ECHOKE | ECHOE);
        while (erase_one(ld, visual)) {
        }
        if (echo && !visual) {
            echo_char(ld, c);
            if (lf & ECHOK) echo_bytes(ld, (const uint8_t *)"\n", 1);
        }
        return LDISC_NONE;
    }
    uint8_t mark = 0;
    if (cc_is(ld, VEOF, c)) mark = LDISC_END | LDISC_EOF;
    else if (c == '\n' || cc_is(ld, VEOL, c) || (cc_is(ld, VEOL2, c) && (lf & IEXTEN))) mark = LDISC_END;
    /* The last slot is kept for the end of the line being edited. */
    if (ld->count >= LDISC_CAP - (mark ? 0 : 1)) {
        ld->dropped++;
        return LDISC_NONE;
    }
    store(ld, c, mark);
    if (mark & LDISC_EOF) return LDISC_DATA;   /* VEOF is not echoed */
    if (c == '\n') {
        if (echo || (lf & ECHONL)) echo_bytes(ld, &c, 1);
    } else if (echo) {
        echo_char(ld, c);
    }
    return mark ? LDISC_DATA : LDISC_NONE;
}

enum ldisc_event ldisc_input(struct ldisc *ld, uint8_t c) {
    ld->echo_len = 0;
    const struct ktermios *t = &ld->t;
    if (t->c_iflag & ISTRIP) c &= 0x7f;
    if (c == '\r') {
        if (t->c_iflag & IGNCR) return LDISC_NONE;
        if (t->c_iflag & ICRNL) c = '\n';
    } else if (c == '\n' && (t->c_iflag & INLCR)) {
        c = '\r';
    }
    if (t->c_iflag & IXON) {
        if (cc_is(ld, VSTOP, c)) {
            ld->stopped = 1;
            return LDISC_STOP;
        }
        if (cc_is(ld, VSTART, c)) {
            ld->stopped = 0;
            return LDISC_START;
        }
        if (ld->stopped && (t->c_iflag & IXANY)) ld->stopped = 0;   /* and the byte is input too */
    }
    if (t->c_lflag & ISIG) {
        enum ldisc_event sig = cc_is(ld, VINTR, c) ? LDISC_SIGINT
                               : cc_is(ld, VQUIT, c) ? LDISC_SIGQUIT
                               : cc_is(ld, VSUSP, c) ? LDISC_SIGTSTP : LDISC_NONE;
        if (sig != LDISC_NONE) {
            if (!(t->c_lflag & NOFLSH)) ldisc_flush_input(ld);
            if (t->c_lflag & ECHO) echo_char(ld, c);
            return sig;
        }
    }
    if (canon(ld)) return canonical_input(ld, c);
    if (ld->count >= LDISC_CAP) {
        ld->dropped++;
        return LDISC_NONE;
    }
    store(ld, c, 0);
    if (t->c_lflag & ECHO) echo_char(ld, c);
    else if (c == '\n' && (t->c_lflag & ECHONL)) echo_bytes(ld, &c, 1);
    return LDISC_DATA;
}

uint32_t ldisc_readable(const struct ldisc *ld) { return canon(ld) ? ld->ready : ld->count; }

int ldisc_can_read(const struct ldisc *ld, uint32_t want) {
    if (canon(ld)) return ld->lines > 0;
    return ld->count >= (want ? want : 1);
}

static void take(struct ldisc *ld, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (ld->mark[AT(ld, i)]) ld->lines--;
    ld->head = AT(ld, n);
    ld->count -= n;
    ld->ready = ld->ready > n ? ld->ready - n : 0;
    if (!canon(ld)) ld->ready = ld->count;
    if (ld->count == 0) ld->head = 0;
}

uint32_t ldisc_read(struct ldisc *ld, uint8_t *out, uint32_t len, int *eof) {
    *eof = 0;
    if (!canon(ld)) {
        uint32_t n = len < ld->count ? len : ld->count;
        for (uint32_t i = 0; i < n; i++) out[i] = ld->buf[AT(ld, i)];
        take(ld, n);
        return n;
    }
    if (ld->lines == 0) return 0;
    uint32_t end = 0;   /* index of the first line's last byte */
    while (!(ld->mark[AT(ld, end)] & LDISC_END)) end++;
    int is_eof = (ld->mark[AT(ld, end)] & LDISC_EOF) != 0;
    uint32_t data = is_eof ? end : end + 1;
    uint32_t n = len < data ? len : data;
    for (uint32_t i = 0; i < n; i++) out[i] = ld->buf[AT(ld, i)];
    if (n == data) {
        take(ld, end + 1);   /* the whole line, its VEOF included */
        if (is_eof && n == 0) *eof = 1;
    } else {
        take(ld, n);
    }
    return n;
}

uint32_t ldisc_room(const struct ldisc *ld) {
    if (!canon(ld)) return LDISC_CAP - ld->count;
    if (ld->lines == 0) return ld->count < LDISC_CAP ? LDISC_CAP - ld->count : 1;
    /* Complete lines wait for a reader: the sender waits too once an
     * ordinary byte would no longer fit. */
    return ld->count < LDISC_CAP - 1 ? LDISC_CAP - 1 - ld->count : 0;
}

/* The line discipline (N_TTY): pure, no kernel calls, so that it is
 * host-tested (tests/unit/test_ldisc.c) and fuzzed (tests/fuzz/fuzz_ldisc.c).
 * The tty (tty/tty.c) feeds it every received byte with interrupts off,
 * writes out what it asks to echo, and turns its events into signals.
 *
 * Input is one bounded buffer of LDISC_CAP bytes. Invariants (the fuzzer
 * checks them after every call): count <= LDISC_CAP; ready <= count; in
 * canonical mode the bytes [0, ready) are complete lines, each ending in a
 * byte marked LDISC_END, and [ready, count) is the line being edited, which
 * holds no such mark. A byte that does not fit is dropped and counted in
 * `dropped`, never written over what was typed: in canonical mode the last
 * slot is kept for the line's end, so a full line can still be finished
 * (and read); in raw mode the buffer is simply full. */
#ifndef TTY_LDISC_H
#define TTY_LDISC_H
#include <stdint.h>
#include "tty/termios.h"

#define LDISC_CAP 4096
#define LDISC_ECHO_MAX 64     /* one input byte never echoes more than this */

#define LDISC_END 1           /* the byte ends a line (canonical) */
#define LDISC_EOF 2           /* the byte is VEOF: ends the line, is not data */

/* What one input byte asks the tty to do beyond echoing. */
enum ldisc_event {
    LDISC_NONE,
    LDISC_SIGINT,    /* VINTR under ISIG: SIGINT to the foreground group */
    LDISC_SIGQUIT,
    LDISC_SIGTSTP,   /* VSUSP */
    LDISC_STOP,      /* VSTOP under IXON: output pauses */
    LDISC_START,     /* VSTART (or any byte under IXANY while stopped) */
    LDISC_DATA,      /* readable input may have appeared (readers wake) */
};

struct ldisc {
    struct ktermios t;
    uint8_t buf[LDISC_CAP];   /* a ring: logical byte i is at (head + i) % LDISC_CAP */
    uint8_t mark[LDISC_CAP];  /* LDISC_END / LDISC_EOF per byte, same positions */
    uint32_t head;
    uint32_t count;           /* bytes held */
    uint32_t ready;           /* canonical: bytes of complete lines; raw: unused (== count) */
    uint32_t lines;           /* complete lines held (canonical) */
    uint64_t dropped;         /* bytes refused because the buffer was full */
    int stopped;              /* output paused by VSTOP */
    uint8_t echo[LDISC_ECHO_MAX];
    uint32_t echo_len;        /* what the last ldisc_input asks to echo (already output-processed) */
};

void ldisc_init(struct ldisc *ld, const struct ktermios *t);
/* New settings (already sanitized). Leaving canonical mode makes the line
 * being edited readable; entering it keeps held bytes as one unfinished line. */
void ldisc_set_termios(struct ldisc *ld, const struct ktermios *t);
/* One received byte: edits or stores it, fills ld->echo, says what else to do. */
enum ldisc_event ldisc_input(struct ldisc *ld, uint8_t c);
/* Bytes a read may take now: canonical, the complete lines (an EOF mark
 * counts); raw, all held bytes. */
uint32_t ldisc_readable(const struct ldisc *ld);
/* Canonical: 1 when a complete line (or EOF) is there. Raw: count >= want. */
int ldisc_can_read(const struct ldisc *ld, uint32_t want);
/* Takes up to len bytes into out: canonical, at most one line (its VEOF is
 * dropped; an empty line ended by VEOF reads as 0 = end of file, *eof set);
 * raw, what is there. Returns bytes copied. */
uint32_t ldisc_read(struct ldisc *ld, uint8_t *out, uint32_t len, int *eof);
/* Room for more input the sender should wait for (serial flow control):
 * 0 only when the buffer is full and a reader can drain it; a full
 * canonical buffer with no complete line takes (and drops) further bytes,
 * else nobody could ever make room. */
uint32_t ldisc_room(const struct ldisc *ld);
void ldisc_flush_input(struct ldisc *ld);
/* Output processing (OPOST: ONLCR, OCRNL, OLCUC; the column-based ONOCR
 * and ONLRET are not done) of in into
 * out (cap >= 2): consumes bytes while their output fits; *used is how many
 * of in were taken. Returns bytes written to out. */
uint32_t ldisc_output(const struct ktermios *t, const uint8_t *in, uint32_t len, uint8_t *out, uint32_t cap,
                      uint32_t *used);

#endif

/* Fuzzes the line discipline (tty/ldisc.c) and termios validation
 * (tty/termios.c): the input starts with a termios (36 bytes, sanitized; a
 * refused one keeps the previous), then is a stream of operations: feed a
 * byte, read n bytes, set new termios, flush. After each: count <= CAP,
 * ready <= count, the line counter agrees with the marks, the editing tail
 * holds no line end, echo fits, reads never return more than asked. */
#include "tests/fuzz/fuzz.h"
#include "tty/ldisc.h"

static struct ldisc ld;

static void check(void) {
    CHECK(ld.count <= LDISC_CAP);
    CHECK(ld.head < LDISC_CAP);
    CHECK(ld.echo_len <= LDISC_ECHO_MAX);
    if (ld.t.c_lflag & ICANON) {
        CHECK(ld.ready <= ld.count);
        uint32_t lines = 0, last_end = 0;
        for (uint32_t i = 0; i < ld.count; i++)
            if (ld.mark[(ld.head + i) % LDISC_CAP] & LDISC_END) {
                lines++;
                last_end = i + 1;
            }
        CHECK(lines == ld.lines);
        CHECK(last_end == ld.ready);
    } else {
        CHECK(ld.ready == ld.count);
    }
    CHECK(ldisc_readable(&ld) <= ld.count);
    CHECK(ldisc_room(&ld) <= LDISC_CAP);
}

static void set_termios(const uint8_t *p) {
    struct ktermios t;
    memcpy(&t, p, sizeof t);
    if (termios_sanitize(&t) == 0) {
        CHECK((t.c_iflag & ~TTY_IFLAG_ALL) == 0 && (t.c_lflag & ~TTY_LFLAG_ALL) == 0 && t.c_line == 0);
        ldisc_set_termios(&ld, &t);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct ktermios t;
    termios_default(&t);
    ldisc_init(&ld, &t);
    if (size >= sizeof t) {
        set_termios(data);
        data += sizeof t;
        size -= sizeof t;
    }
    static uint8_t out[LDISC_CAP];
    for (size_t i = 0; i < size; i++) {
        uint8_t op = data[i];
        if (op < 0xf0 || i + 1 >= size) {
            /* most bytes are input, and a repeat count lets a short input fill the buffer */
            int reps = op == 0xef ? 5000 : 1;
            for (int r = 0; r < reps; r++) {
                ldisc_input(&ld, op == 0xef ? (uint8_t)('a' + r % 3) : op);
                CHECK(ld.count <= LDISC_CAP && ld.echo_len <= LDISC_ECHO_MAX);
            }
            check();
            continue;
        }
        uint8_t arg = data[++i];
        if (op == 0xf0 && i + sizeof t <= size) {
            set_termios(data + i);
            i += sizeof t - 1;
        } else if (op == 0xf1) {
            ldisc_flush_input(&ld);
        } else {
            uint32_t want = (uint32_t)arg * 17, before = ldisc_readable(&ld);
            int eof;
            uint32_t n = ldisc_read(&ld, out, want, &eof);
            CHECK(n <= want && n <= before);
            CHECK(!eof || n == 0);
            fuzz_touch(out, n);
        }
        check();
        uint32_t used;
        uint8_t o[8];
        uint32_t w = ldisc_output(&ld.t, data, (uint32_t)(size > 4 ? 4 : size), o, sizeof o, &used);
        CHECK(w <= sizeof o && used <= 4);
    }
    return 0;
}

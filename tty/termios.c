/* Pure: the termios defaults and validation (tty/termios.h). Host-tested
 * (tests/unit/test_termios.c) and fuzzed with the line discipline. */
#include "tty/termios.h"
#include "lib/string.h"
#include "secos/errno.h"

void termios_default(struct ktermios *t) {
    memset(t, 0, sizeof *t);
    t->c_iflag = ICRNL | IXON;
    t->c_oflag = OPOST | ONLCR;
    t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
    t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    t->c_cc[VINTR] = 0x03;
    t->c_cc[VQUIT] = 0x1c;
    t->c_cc[VERASE] = 0x7f;
    t->c_cc[VKILL] = 0x15;
    t->c_cc[VEOF] = 0x04;
    t->c_cc[VTIME] = 0;
    t->c_cc[VMIN] = 1;
    t->c_cc[VSTART] = 0x11;
    t->c_cc[VSTOP] = 0x13;
    t->c_cc[VSUSP] = 0x1a;
    t->c_cc[VREPRINT] = 0x12;
    t->c_cc[VDISCARD] = 0x0f;
    t->c_cc[VWERASE] = 0x17;
    t->c_cc[VLNEXT] = 0x16;
}

/* Linux's speed codes: 0-15 without CBAUDEX, 1-15 with it (B57600 ... B4000000). */
static int speed_valid(uint32_t cflag) {
    uint32_t code = cflag & CBAUD;
    if (!(code & CBAUDEX)) return 1;
    uint32_t ext = code & ~CBAUDEX;
    return ext >= 1 && ext <= 15;
}

int termios_sanitize(struct ktermios *t) {
    if (!speed_valid(t->c_cflag)) return -EINVAL;
    t->c_iflag &= TTY_IFLAG_ALL;
    t->c_oflag &= TTY_OFLAG_ALL;
    t->c_cflag &= TTY_CFLAG_ALL;
    t->c_lflag &= TTY_LFLAG_ALL;
    t->c_line = 0;
    return 0;
}

/* Linux's kernel termios (the 36-byte struct TCGETS/TCSETS copy: NCCS 19,
 * no separate speed fields), its flag bits and c_cc indices, and the pure
 * validation every TCSETS* value passes before the tty takes it. */
#ifndef TTY_TERMIOS_H
#define TTY_TERMIOS_H
#include <stdint.h>

#define TTY_NCCS 19
struct ktermios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[TTY_NCCS];
};
_Static_assert(sizeof(struct ktermios) == 36, "Linux's kernel termios is 36 bytes");

/* c_cc indices */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSWTC 7
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16
#define TTY_VDISABLE 0   /* a c_cc entry of 0 disables that character (_POSIX_VDISABLE) */

/* c_iflag */
#define IGNBRK 0000001
#define BRKINT 0000002
#define IGNPAR 0000004
#define PARMRK 0000010
#define INPCK 0000020
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IUCLC 0001000
#define IXON 0002000
#define IXANY 0004000
#define IXOFF 0010000
#define IMAXBEL 0020000
#define IUTF8 0040000
#define TTY_IFLAG_ALL 0077777
/* c_oflag */
#define OPOST 0000001
#define OLCUC 0000002
#define ONLCR 0000004
#define OCRNL 0000010
#define ONOCR 0000020
#define ONLRET 0000040
#define TTY_OFLAG_ALL 0177777   /* delay bits are kept (and mean nothing), as Linux */
/* c_cflag */
#define CBAUD 0010017
#define CBAUDEX 0010000
#define B0 0000000
#define B38400 0000017
#define B115200 0010002
#define CSIZE 0000060
#define CS8 0000060
#define CSTOPB 0000100
#define CREAD 0000200
#define PARENB 0000400
#define PARODD 0001000
#define HUPCL 0002000
#define CLOCAL 0004000
#define TTY_CFLAG_ALL (CBAUD | CSIZE | CSTOPB | CREAD | PARENB | PARODD | HUPCL | CLOCAL | 010000000000u /* CRTSCTS */)
/* c_lflag */
#define ISIG 0000001
#define ICANON 0000002
#define XCASE 0000004
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define ECHOCTL 0001000
#define ECHOPRT 0002000
#define ECHOKE 0004000
#define FLUSHO 0010000
#define PENDIN 0040000
#define IEXTEN 0100000
#define EXTPROC 0200000
#define TTY_LFLAG_ALL 0377777

/* The console's settings: Linux's defaults for a fresh tty (cooked, echo,
 * ICRNL, OPOST|ONLCR, 38400 8N1, ^C ^\ ^? ^U ^D ^Z ^W ...). */
void termios_default(struct ktermios *t);

/* What the tty keeps of a user's termios. Bits Linux does not define are
 * cleared; c_line (line discipline) is forced to 0 (N_TTY, the only one);
 * every c_cc byte is a valid value (VMIN above the input buffer acts as the
 * buffer's size). The speed field must be one of Linux's Bnnn codes (B0 to
 * B38400, B57600 to B4000000), else -EINVAL and *t is left as it was given.
 * 0 when t was made valid in place. */
int termios_sanitize(struct ktermios *t);

#endif

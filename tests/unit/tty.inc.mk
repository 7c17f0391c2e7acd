UNIT_TESTS += ldisc termios
UNIT_SRCS_ldisc := tests/unit/test_ldisc.c tty/ldisc.c tty/termios.c
UNIT_SRCS_termios := tests/unit/test_termios.c tty/termios.c

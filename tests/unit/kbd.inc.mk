UNIT_TESTS += kbd_decode
UNIT_SRCS_kbd_decode := tests/unit/test_kbd_decode.c lib/kbd_decode.c

UNIT_TESTS += kbd_decode
UNIT_SRCS_kbd_decode := tests/unit/test_kbd_decode.c lib/kbd_decode.c

# fbcon with a synthetic font defined in the test (no generated file needed).
UNIT_TESTS += fbcon_font
UNIT_SRCS_fbcon_font := tests/unit/test_fbcon_font.c drivers/fbcon.c

UNIT_TESTS += escape
UNIT_SRCS_escape := tests/unit/test_escape.c lib/escape.c lib/printf.c lib/string.c

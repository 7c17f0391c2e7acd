UNIT_TESTS += sigframe
UNIT_SRCS_sigframe := tests/unit/test_sigframe.c kernel/sigframe.c lib/string.c

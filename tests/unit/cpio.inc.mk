UNIT_TESTS += cpio
UNIT_SRCS_cpio := tests/unit/test_cpio.c fs/cpio.c lib/string.c

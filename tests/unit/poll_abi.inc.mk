UNIT_TESTS += poll_abi
UNIT_SRCS_poll_abi := tests/unit/test_poll_abi.c fs/poll_abi.c lib/string.c

UNIT_TESTS += sha256
UNIT_SRCS_sha256 := tests/unit/test_sha256.c lib/sha256.c

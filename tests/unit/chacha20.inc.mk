UNIT_TESTS += chacha20
UNIT_SRCS_chacha20 := tests/unit/test_chacha20.c lib/chacha20.c lib/csprng.c lib/sha256.c

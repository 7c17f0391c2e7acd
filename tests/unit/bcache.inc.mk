UNIT_TESTS += bcache
UNIT_SRCS_bcache := tests/unit/test_bcache.c block/bcache_core.c

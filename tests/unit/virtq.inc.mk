UNIT_TESTS += virtq
UNIT_SRCS_virtq := tests/unit/test_virtq.c drivers/virtq.c

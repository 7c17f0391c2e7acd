UNIT_TESTS += virtq
UNIT_SRCS_virtq := tests/unit/test_virtq.c drivers/virtq.c
UNIT_TESTS += virtq_pool
UNIT_SRCS_virtq_pool := tests/unit/test_virtq_pool.c drivers/virtq_pool.c drivers/virtq.c

UNIT_TESTS += heap_core
UNIT_SRCS_heap_core := tests/unit/test_heap_core.c mm/heap_core.c lib/string.c

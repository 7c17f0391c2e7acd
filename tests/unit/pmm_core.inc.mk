UNIT_TESTS += pmm_core
UNIT_SRCS_pmm_core := tests/unit/test_pmm_core.c mm/pmm_core.c lib/string.c

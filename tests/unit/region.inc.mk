UNIT_TESTS += region
UNIT_SRCS_region := tests/unit/test_region.c mm/region.c

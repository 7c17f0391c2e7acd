UNIT_TESTS += measure_log
UNIT_SRCS_measure_log := tests/unit/test_measure_log.c fs/measure_log.c lib/printf.c lib/string.c lib/escape.c

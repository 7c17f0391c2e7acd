# Driver Space (dspace/): host tests of the pure parts.
UNIT_TESTS += driver_check driver_rate driver_audit
UNIT_SRCS_driver_check := tests/unit/test_driver_check.c dspace/driver_check.c lib/string.c
UNIT_SRCS_driver_rate  := tests/unit/test_driver_rate.c dspace/rate_limit.c lib/string.c
UNIT_SRCS_driver_audit := tests/unit/test_driver_audit.c dspace/audit.c dspace/driver_check.c lib/string.c


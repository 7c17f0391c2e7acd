UNIT_TESTS += trustlist
UNIT_SRCS_trustlist := tests/unit/test_trustlist.c lib/trustlist.c lib/string.c

UNIT_TESTS += boot_info
UNIT_SRCS_boot_info := tests/unit/test_boot_info.c boot/boot_info.c lib/string.c

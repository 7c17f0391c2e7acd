UNIT_TESTS += elf_user
UNIT_SRCS_elf_user := tests/unit/test_elf_user.c kernel/elf_user.c lib/string.c

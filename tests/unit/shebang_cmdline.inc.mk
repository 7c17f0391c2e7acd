# The kernel's two small text parsers of untrusted input: the "#!" line of a
# script (kernel/shebang.c) and the kernel command line (kernel/cmdline.c).
UNIT_TESTS += shebang cmdline
UNIT_SRCS_shebang := tests/unit/test_shebang.c kernel/shebang.c lib/string.c
UNIT_SRCS_cmdline := tests/unit/test_cmdline.c kernel/cmdline.c lib/string.c

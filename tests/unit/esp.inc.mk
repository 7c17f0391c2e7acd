# The ESP at /boot/efi: the esp= option and which device is the boot volume (fs/esp_match.c).
UNIT_TESTS += esp_match
UNIT_SRCS_esp_match := tests/unit/test_esp_match.c fs/esp_match.c kernel/cmdline.c lib/string.c

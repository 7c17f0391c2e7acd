# The disk drivers' parsers of what a device says (drivers/ata_id.c).
UNIT_TESTS += ata_id
UNIT_SRCS_ata_id := tests/unit/test_ata_id.c drivers/ata_id.c

UNIT_TESTS += part
UNIT_SRCS_part := tests/unit/test_part.c block/part_mbr.c block/part_gpt.c lib/crc32.c

# ext2 core (fs/ext2_core.c, fs/ext2_map.c, fs/ext2_dir.c): tests/unit/test_ext2.c
# (needs mke2fs and debugfs, e2fsprogs).
UNIT_TESTS += ext2
UNIT_SRCS_ext2 := tests/unit/test_ext2.c fs/ext2_core.c fs/ext2_map.c fs/ext2_dir.c fs/ext2_alloc.c lib/string.c

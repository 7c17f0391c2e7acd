# ext2 writing (fs/ext2_alloc.c, ext2_grow.c, ext2_dirw.c, ext2_ops.c):
# tests/unit/test_ext2_write.c (needs mke2fs, e2fsck and debugfs, e2fsprogs).
UNIT_TESTS += ext2_write
UNIT_SRCS_ext2_write := tests/unit/test_ext2_write.c fs/ext2_core.c fs/ext2_map.c fs/ext2_dir.c fs/ext2_alloc.c \
    fs/ext2_grow.c fs/ext2_dirw.c fs/ext2_ops.c lib/string.c

# Power cuts during ext2 writes, judged by e2fsck at every cut:
# tests/unit/test_ext2_powercut.c.
UNIT_TESTS += ext2_powercut
UNIT_SRCS_ext2_powercut := tests/unit/test_ext2_powercut.c fs/ext2_core.c fs/ext2_map.c fs/ext2_dir.c \
    fs/ext2_alloc.c fs/ext2_grow.c fs/ext2_dirw.c fs/ext2_ops.c block/bcache_core.c lib/string.c

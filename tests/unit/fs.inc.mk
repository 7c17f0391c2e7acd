# Filesystem layer (fs/): path names, RAMFS, VFS dispatch and tree walk.
UNIT_TESTS += path ramfs vfs
UNIT_SRCS_path  := tests/unit/test_path.c fs/path.c lib/string.c
UNIT_SRCS_ramfs := tests/unit/test_ramfs.c fs/ramfs.c lib/string.c
UNIT_SRCS_vfs   := tests/unit/test_vfs.c fs/vfs.c fs/walk.c fs/path.c fs/ramfs.c lib/string.c lib/strerror.c
UNIT_TESTS += linux_abi
UNIT_SRCS_linux_abi := tests/unit/test_linux_abi.c fs/linux_abi.c lib/string.c
UNIT_TESTS += procfs_text
UNIT_SRCS_procfs_text := tests/unit/test_procfs_text.c fs/procfs_text.c lib/printf.c lib/string.c lib/escape.c
UNIT_TESTS += fat
UNIT_SRCS_fat := tests/unit/test_fat.c fs/fat_core.c fs/fat_dir.c lib/string.c
UNIT_TESTS += fat_powercut
UNIT_SRCS_fat_powercut := tests/unit/test_fat_powercut.c fs/fat_core.c fs/fat_dir.c block/bcache_core.c lib/string.c

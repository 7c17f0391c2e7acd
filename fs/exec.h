/* Program images for the loader: files in the VFS, and the programs built
 * into the kernel image (so a -kernel boot without an initrd still has them). */
#ifndef FS_EXEC_H
#define FS_EXEC_H
#include <stdint.h>

struct builtin_program {
    const char *name;           /* "hello": the file name without .elf */
    const unsigned char *data;  /* ELF image in .rodata, 16-byte aligned */
    unsigned long size;         /* bytes */
};

/* Registers exec_find_program as the loader's program source, with the
 * built-in programs (the table must outlive the kernel; may be empty). */
void exec_init(const struct builtin_program *builtins, unsigned count);

/* "/bin/hello" (any path with a slash; a relative one from the caller's
 * working directory; /proc/<pid>/exe followed) comes from the file system, falling
 * back to the built-in programs for /bin/<name>; a bare name is a built-in
 * program, else /bin/<name> in the file system. A built-in program's name in
 * /bin is the system's: only an immutable file (the initrd's) may stand for
 * it there, never one any process could have planted. */
int exec_find_program(const char *path, const void **img, uint64_t *size, void **owned);

#endif

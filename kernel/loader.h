/* Loads a user program into a fresh process: validates the whole ELF first
 * (kernel/elf_user.c), then maps each PT_LOAD with exactly its permissions,
 * builds the stack with argc/argv, and applies the manifest. */
#ifndef KERNEL_LOADER_H
#define KERNEL_LOADER_H
#include <stdint.h>

struct proc;

#define USER_STACK_TOP   0x00007ffffff00000ULL /* below the top of the user half */
#define USER_STACK_MAX   (1024 * 1024ULL)      /* demand-zero; the page below is the guard */
#define USER_MMAP_BASE   0x0000200000000000ULL
#define USER_DEFAULT_MAX_MEM (64ULL << 20)     /* page budget per process; a manifest may only lower it */

/* ASLR: the stack top slides down by up to 2^16 pages (256 MiB), the mmap
 * base up by up to 2^20 pages (4 GiB), a position-independent program's base
 * up by up to 2^24 pages; entropy from RDSEED/RDRAND or the TSC. */
#define ASLR_STACK_BITS 16
#define ASLR_MMAP_BITS  20
#define ASLR_PIE_BITS   24 /* ET_DYN programs: up to 64 GiB above their link address */
extern int aslr_enabled;
uint64_t aslr_slide_pages(unsigned bits);

#define LOADER_MAX_FILE (4ULL << 20) /* largest program file read from the VFS */

/* Where programs come from: finds the image for a path (/bin/hello) or a bare
 * name (hello). *owned is a kernel buffer to kfree after loading, or NULL.
 * 0 or a negative errno. The file-system layer registers it at init
 * (fs/exec.c); until then every load fails with -ENOENT. */
/* *resolved gets the absolute path the image was found at (/proc/self/exe
 * and AT_EXECFN show it): PROC_EXE_MAX bytes. */
typedef int (*program_find_fn)(const char *path, const void **img, uint64_t *size, void **owned, char *resolved);
void loader_set_program_source(program_find_fn fn);

/* What a new image receives on its stack (kernel/user_stack.h): argv and
 * envp hold argc / envc kernel strings. */
struct loader_args {
    int argc;
    char *const *argv;
    int envc;
    char *const *envp;
};

/* Loads the image at path into p->as (fresh and empty) and sets p's
 * personality, exe path and cmdline. 0, or a negative errno with *why set to
 * a one-line reason. On failure the caller destroys p->as, which releases
 * whatever was mapped. */
int loader_load(struct proc *p, const char *path, const struct loader_args *args, uint64_t *entry,
                uint64_t *user_sp, const char **why);

#endif

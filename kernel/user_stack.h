/* The initial user stack of a new image, as the Linux x86-64 ABI lays it out
 * (and SECoS's own crt0 reads the same way: it only looks at argc and argv):
 *
 *   rsp -> argc
 *          argv[0..argc-1], NULL
 *          envp[0..envc-1], NULL
 *          auxv pairs (key, value) ..., AT_NULL, 0
 *          padding
 *          16 random bytes (AT_RANDOM), the program path (AT_EXECFN),
 *          the argument and environment strings
 *   top -> (end of the stack)
 *
 * rsp is 16-byte aligned at argc. A pure module: it writes into a kernel
 * buffer that stands for the highest `size` bytes below `top_va`, so the
 * host unit tests (tests/unit/test_user_stack.c) run it unchanged. */
#ifndef KERNEL_USER_STACK_H
#define KERNEL_USER_STACK_H
#include <stdint.h>

/* Bytes of strings (argv + envp, NULs included) one exec may pass, and how
 * many pointers; above either, exec fails with -E2BIG. */
#define USTACK_STRINGS_MAX (128u * 1024u)
#define USTACK_VECTOR_MAX  4096u

struct ustack_args {
    int argc, envc;
    char *const *argv;
    char *const *envp;
    const char *execfn;          /* AT_EXECFN string; NULL: none */
    const uint8_t *random16;     /* AT_RANDOM bytes (16) */
    const uint64_t *auxv;        /* key, value pairs, without AT_RANDOM, AT_EXECFN and AT_NULL */
    int auxc;                    /* number of pairs */
};

/* Bytes of stack the layout needs (always a multiple of 16), or 0 when the
 * arguments exceed USTACK_STRINGS_MAX / USTACK_VECTOR_MAX. */
uint64_t ustack_size(const struct ustack_args *a);

/* Writes the layout into buf, which stands for [top_va - size, top_va);
 * size must be at least ustack_size(a). *sp gets the user rsp (pointing at
 * argc). 0, or -E2BIG. */
int ustack_build(const struct ustack_args *a, uint8_t *buf, uint64_t size, uint64_t top_va, uint64_t *sp);

#endif

/* The initial user stack (see user_stack.h for the layout). */
#include "kernel/user_stack.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/linux_syscall.h"

static uint64_t strings_size(const struct ustack_args *a, int *ok) {
    uint64_t n = 0;
    *ok = a->argc >= 0 && a->envc >= 0 && (uint64_t)a->argc + (uint64_t)a->envc <= USTACK_VECTOR_MAX;
    for (int i = 0; *ok && i < a->argc; i++) n += strlen(a->argv[i]) + 1;
    for (int i = 0; *ok && i < a->envc; i++) n += strlen(a->envp[i]) + 1;
    if (n > USTACK_STRINGS_MAX) *ok = 0;
    return n;
}

/* Words from argc to the AT_NULL value, inclusive. */
static uint64_t vector_words(const struct ustack_args *a) {
    return 1 + (uint64_t)a->argc + 1 + (uint64_t)a->envc + 1 + 2 * ((uint64_t)a->auxc + 3);
}

static uint64_t blob_size(const struct ustack_args *a, uint64_t strings) {
    return 16 + (a->execfn ? strlen(a->execfn) + 1 : 0) + strings;
}

uint64_t ustack_size(const struct ustack_args *a) {
    int ok;
    uint64_t s = strings_size(a, &ok);
    if (!ok || a->auxc < 0 || a->auxc > 32) return 0;
    uint64_t blob = (blob_size(a, s) + 15) & ~15ULL;
    return blob + ((vector_words(a) * 8 + 15) & ~15ULL);
}

int ustack_build(const struct ustack_args *a, uint8_t *buf, uint64_t size, uint64_t top_va, uint64_t *sp) {
    uint64_t need = ustack_size(a);
    if (!need || need > size) return -E2BIG;
    uint8_t *top = buf + size;       /* stands for top_va */
    uint64_t off = 0;                /* bytes below the top used so far */
    /* Every byte of buf is written: it becomes the stack's pages, and the
     * part below the initial sp is the program's to read. */
    memset(buf, 0, size - need);
#define VA(o) (top_va - (o))
#define PUT(src, len) (off += (len), memcpy(top - off, (src), (len)), VA(off))
    uint64_t random_va = PUT(a->random16, 16);
    uint64_t execfn_va = a->execfn ? PUT(a->execfn, strlen(a->execfn) + 1) : 0;
    /* Strings in reverse so argv[0] ends up lowest, as on Linux. */
    uint64_t *vec = (uint64_t *)(void *)(top - need);
    uint64_t w = 0;
    vec[w++] = (uint64_t)a->argc;
    uint64_t argv_at = w, envp_at = w + (uint64_t)a->argc + 1;
    for (int i = a->envc - 1; i >= 0; i--) vec[envp_at + (uint64_t)i] = PUT(a->envp[i], strlen(a->envp[i]) + 1);
    for (int i = a->argc - 1; i >= 0; i--) vec[argv_at + (uint64_t)i] = PUT(a->argv[i], strlen(a->argv[i]) + 1);
#undef PUT
    vec[argv_at + (uint64_t)a->argc] = 0;
    vec[envp_at + (uint64_t)a->envc] = 0;
    w = envp_at + (uint64_t)a->envc + 1;
    for (int i = 0; i < a->auxc; i++) {
        vec[w++] = a->auxv[2 * i];
        vec[w++] = a->auxv[2 * i + 1];
    }
    vec[w++] = AT_RANDOM;
    vec[w++] = random_va;
    vec[w++] = a->execfn ? AT_EXECFN : AT_IGNORE;
    vec[w++] = execfn_va;
    vec[w++] = AT_NULL;
    vec[w++] = 0;
    /* The vector never overlaps the strings: need reserved both. */
    if ((uint8_t *)(vec + w) > top - off) return -E2BIG;
    memset(vec + w, 0, (uint64_t)((top - off) - (uint8_t *)(vec + w)));
    *sp = VA(need);
#undef VA
    return 0;
}

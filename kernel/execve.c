/* execve in place. Everything the new image needs (path, argv, envp) is
 * copied into the kernel and the new image is loaded into a fresh address
 * space before the running image is touched: on any failure the caller gets
 * the error back in the image it had. Only then does the process switch to
 * the new space, free the old one and start over at the new entry point
 * with clean registers, FPU state and FS base. The SECoS personality has
 * the same call as SYS_exec. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/loader.h"
#include "kernel/user_stack.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "mm/usercopy.h"
#include "mm/kheap.h"
#include "mm/vmm.h"
#include "lib/string.h"
#include "secos/errno.h"

/* The kernel copy of one execve's arguments: vec holds argv, a NULL, envp,
 * a NULL; every string lives in strings. Both arrays follow the structure
 * in the same allocation, sized by the caps: a first attempt uses small
 * caps (almost every exec fits), and only one that does not fit is copied
 * again with the full limits, so an ordinary exec never makes the heap
 * grow by the 160 KiB the limits need (and shrink again after). */
struct exec_args {
    char path[PROC_EXE_MAX + 1];
    uint32_t used;          /* bytes of strings taken, NULs included */
    uint32_t nvec;          /* entries of vec taken, NULLs included */
    uint32_t strings_cap;   /* bytes at strings */
    uint32_t vec_max;       /* strings vec may hold (two more entries for the NULLs) */
    char **vec;
    char *strings;
};

#define EXEC_SMALL_STRINGS 4096
#define EXEC_SMALL_VECTOR  126

static struct exec_args *exec_args_alloc(uint32_t strings_cap, uint32_t vec_max) {
    struct exec_args *a = kmalloc(sizeof *a + (vec_max + 2) * sizeof(char *) + strings_cap);
    if (!a) return 0;
    a->used = a->nvec = 0;
    a->strings_cap = strings_cap;
    a->vec_max = vec_max;
    a->vec = (char **)(a + 1);
    a->strings = (char *)(a->vec + vec_max + 2);
    return a;
}

/* Appends the NULL-terminated user array uvec (0 = empty) to a->vec;
 * returns how many strings it had, -E2BIG past either cap, -EFAULT. */
static long copy_vector(struct exec_args *a, uint64_t uvec) {
    long n = 0;
    for (; uvec; n++) {
        uint64_t ptr;
        if (copy_from_user(&ptr, uvec + (uint64_t)n * 8, 8)) return -EFAULT;
        if (!ptr) break;
        if (a->nvec >= a->vec_max || a->used >= a->strings_cap) return -E2BIG;
        long len = strncpy_from_user(a->strings + a->used, ptr, a->strings_cap - a->used);
        if (len < 0) return len == -ENAMETOOLONG ? -E2BIG : len;
        a->vec[a->nvec++] = a->strings + a->used;
        a->used += (uint32_t)len + 1;
        /* No reschedule point here: a process switched out in a syscall
         * may be killed (proc_kill), and this one holds heap buffers. The
         * work is bounded by USTACK_STRINGS_MAX bytes anyway. */
    }
    a->vec[a->nvec++] = 0;
    return n;
}

/* The path to load: /proc/self/exe is the running image (busybox sh
 * re-executes itself that way); a relative path is taken from "/". */
static long copy_path(struct exec_args *a, uint64_t upath) {
    long n = strncpy_from_user(a->path + 1, upath, sizeof a->path - 1);
    if (n < 0) return n;
    if (n == 0) return -ENOENT;
    if (strcmp(a->path + 1, "/proc/self/exe") == 0) strlcpy(a->path, current->exe_path, sizeof a->path);
    else if (a->path[1] == '/') memmove(a->path, a->path + 1, (uint64_t)n + 1);
    else a->path[0] = '/';
    return 0;
}

/* Point of no return: p leaves its old image for the one loaded into img. */
static void switch_image(struct proc *p, struct proc *img, const char *path, uint64_t entry, uint64_t sp) {
    proc_clear_child_tid(); /* in the old image, as Linux does at exec */
    uint64_t f = irq_save();
    struct address_space *old = p->as;
    p->as = img->as;
    vmm_activate(p->as);
    p->fs_base = 0;
    percpu0.fs_base = 0;
    wrmsr(MSR_FS_BASE, 0);
    irq_restore(f);
    vmm_space_destroy(old);
    p->abi = img->abi;
    syscall_activate(p->abi); /* the scheduler only switches tables between tasks */
    p->manifest = img->manifest;
    p->has_manifest = img->has_manifest;
    memcpy(p->exe_path, img->exe_path, sizeof p->exe_path);
    memcpy(p->cmdline, img->cmdline, sizeof p->cmdline);
    p->cmdline_len = img->cmdline_len;
    p->mmap_base = img->mmap_base; /* the regions are the new space's */
    p->stack_bottom = img->stack_bottom;
    p->brk_start = img->brk_start;
    p->brk = img->brk;
    memset(p->enosys_seen, 0, sizeof p->enosys_seen);
    p->enosys_logged = 0;
    const char *base = path;
    for (const char *s = path; *s; s++)
        if (*s == '/') base = s + 1;
    strlcpy(p->name, base, sizeof p->name);
    p->did_exec = 1;
    fpu_state_init(&p->fpu);
    fpu_restore(&p->fpu);
    /* rdx = 0 at entry: glibc registers it with atexit. */
    struct trapframe *tf = p->tf;
    uint64_t vector = tf->vector; /* how the call came in: how it leaves */
    memset(tf, 0, sizeof *tf);
    tf->vector = vector;
    tf->rip = entry;
    tf->cs = 0x20 | 3;
    tf->ss = 0x18 | 3;
    tf->rsp = sp;
    tf->rflags = 0x202;
    proc_vfork_release(p);
    proc_run_exec_hooks(p);
}

/* Path, argv and envp into a (the caller's caps): 0 with *argc, *envc set,
 * or a negative errno (-E2BIG past a cap). */
static long copy_args(struct exec_args *a, uint64_t upath, uint64_t uargv, uint64_t uenvp, long *argc, long *envc) {
    long r = copy_path(a, upath);
    if (r == 0) r = *argc = copy_vector(a, uargv);
    if (r >= 0) r = *envc = copy_vector(a, uenvp);
    if (r >= 0 && *argc == 0) {
        /* No argv at all: argv[0] = "", as Linux gives since 5.18, so that
         * no program walks into its envp believing it is argv. */
        if (a->nvec + 1 > a->vec_max + 2 || a->used >= a->strings_cap) return -E2BIG;
        memmove(a->vec + 1, a->vec, a->nvec * sizeof a->vec[0]);
        a->strings[a->used] = 0;
        a->vec[0] = a->strings + a->used++;
        a->nvec++;
        *argc = 1;
    }
    return r < 0 ? r : 0;
}

long sys_exec(SYSARGS) {
    UNUSED_ARGS();
    struct proc *p = current;
    if (p->is_kernel) return -EINVAL;
    struct exec_args *a = exec_args_alloc(EXEC_SMALL_STRINGS, EXEC_SMALL_VECTOR);
    struct proc *img = kmalloc(sizeof *img);
    long r = a && img ? 0 : -ENOMEM;
    long argc = 0, envc = 0;
    if (r == 0) r = copy_args(a, a0, a1, a2, &argc, &envc);
    if (r == -E2BIG) {   /* too big for the small caps: again with the real limits */
        kfree(a);
        a = exec_args_alloc(USTACK_STRINGS_MAX, USTACK_VECTOR_MAX);
        r = a ? copy_args(a, a0, a1, a2, &argc, &envc) : -ENOMEM;
    }
    if (r >= 0) {
        memset(img, 0, sizeof *img);
        img->pid = p->pid;
        img->as = vmm_space_create();
        if (!img->as) r = -ENOMEM;
    }
    if (r >= 0) {
        struct loader_args la = { (int)argc, a->vec, (int)envc, a->vec + argc + 1 };
        uint64_t entry, sp;
        const char *why;
        r = loader_load(img, a->path, &la, &entry, &sp, &why);
        if (r == 0) switch_image(p, img, a->path, entry, sp);
        else vmm_space_destroy(img->as);
    }
    kfree(img);
    kfree(a);
    return r < 0 ? r : 0;
}

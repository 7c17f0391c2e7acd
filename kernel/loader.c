#include "kernel/loader.h"
#include "kernel/proc.h"
#include "kernel/elf_user.h"
#include "kernel/shebang.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "mm/physmap.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"
#include "mm/kheap.h"
#include "arch/x86_64/entropy.h"
#include "kernel/user_budget.h"
#include "kernel/umem.h"
#include "kernel/user_stack.h"
#include "secos/linux_syscall.h"
#include "arch/x86_64/cpu.h"
#include "secos/elf64.h"

static program_find_fn program_find;

void loader_set_program_source(program_find_fn fn) { program_find = fn; }

static uint64_t seg_flags(uint32_t pf) {
    uint64_t f = PTE_P | PTE_U;
    if (pf & ELF_PF_W) f |= PTE_W;
    if (!(pf & ELF_PF_X)) f |= PTE_NX;
    return f;
}

/* Each page holding file bytes gets a fresh frame; the bytes are copied
 * straight from the image through the physmap (one copy, no bounce buffer).
 * The pages past the file bytes (bss) are demand-zero: spawn's work is
 * bounded by the file's size, never by a huge memsz, and a page is only paid
 * for (against the budget) once touched. */
static int map_segment(struct address_space *as, const uint8_t *img, const struct elf_user_seg *s, uint64_t bias) {
    uint64_t start = s->vaddr & ~0xfffULL, end = (s->vaddr + s->memsz + 0xfff) & ~0xfffULL;
    uint64_t file_end = s->filesz ? (s->vaddr + s->filesz + 0xfff) & ~0xfffULL : start;
    if (file_end < end) {
        int r = vmm_add_region(as, file_end + bias, end + bias, seg_flags(s->flags), REGION_IMAGE);
        if (r) return r;
        end = file_end;
    }
    for (uint64_t va = start; va < end; va += 4096) {
        /* Every byte of the frame is written once: the file's bytes, zeros
         * around them (a page the segment starts or ends inside). */
        uint64_t pa = pmm_alloc();
        if (!pa) return -ENOMEM;
        uint8_t *page = phys_to_virt(pa);
        uint64_t lo = va > s->vaddr ? va : s->vaddr;
        uint64_t hi = va + 4096 < s->vaddr + s->filesz ? va + 4096 : s->vaddr + s->filesz;
        if (hi < lo) hi = lo;
        memset(page, 0, lo - va);
        memcpy(page + (lo - va), img + s->offset + (lo - s->vaddr), hi - lo);
        memset(page + (hi - va), 0, 4096 - (hi - va));
        int r = vmm_map(as, va + bias, pa, seg_flags(s->flags) | PTE_OWNED);
        if (r) { pmm_free(pa); return r; }
    }
    return 0;
}

/* ASLR: how many random bits each layout choice gets (pages of slide). */
int aslr_enabled = 1;

uint64_t aslr_slide_pages(unsigned bits) {
    if (!aslr_enabled) return 0;
    return entropy_u64() & ((1ULL << bits) - 1);
}

static uint64_t hwcap(void) {
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    return d;
}

/* The auxv entries both libcs read (LINUX_ABI.md §6); AT_RANDOM and
 * AT_EXECFN are added by the stack builder. AT_SECURE stays 0: 1 would make
 * musl poll fds 0-2 at startup. */
static int build_auxv(uint64_t *aux, const struct elf_user_image *im, uint64_t phdr_va, uint64_t phnum,
                      uint64_t bias) {
    int n = 0;
#define AUX(k, v) (aux[2 * n] = (k), aux[2 * n + 1] = (v), n++)
    if (phdr_va) {
        AUX(AT_PHDR, phdr_va + bias);
        AUX(AT_PHENT, sizeof(struct elf64_phdr));
        AUX(AT_PHNUM, phnum);
    }
    AUX(AT_PAGESZ, 4096);
    AUX(AT_BASE, 0);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, im->entry + bias);
    AUX(AT_UID, 0);
    AUX(AT_EUID, 0);
    AUX(AT_GID, 0);
    AUX(AT_EGID, 0);
    AUX(AT_SECURE, 0);
    AUX(AT_CLKTCK, 100);
    AUX(AT_HWCAP, hwcap());
#undef AUX
    return n;
}

/* Maps the top of the stack with the argument block already in it; the rest
 * down to USER_STACK_MAX is demand-zero and the page below stays unmapped
 * (the guard). */
static int build_stack(struct address_space *as, uint64_t stack_top, const struct ustack_args *args,
                       uint64_t *sp_out) {
    uint64_t need = ustack_size(args);
    if (!need) return -E2BIG;
    uint64_t size = (need + 0xfff) & ~0xfffULL;
    uint8_t *buf = kmalloc(size);
    if (!buf) return -ENOMEM;
    int r = ustack_build(args, buf, size, stack_top, sp_out);
    for (uint64_t off = 0; r == 0 && off < size; off += 4096) {
        uint64_t pa = pmm_alloc();   /* overwritten whole: ustack_build filled buf */
        if (!pa) { r = -ENOMEM; break; }
        memcpy(phys_to_virt(pa), buf + off, 4096);
        r = vmm_map(as, stack_top - size + off, pa, PTE_P | PTE_U | PTE_W | PTE_NX | PTE_OWNED);
        if (r) pmm_free(pa);
    }
    kfree(buf);
    if (r) return r;
    return vmm_add_region(as, stack_top - USER_STACK_MAX, stack_top - size, PTE_P | PTE_U | PTE_W | PTE_NX,
                          REGION_STACK);
}

/* Where the program headers are in memory: inside the PT_LOAD whose file
 * bytes hold them, or 0 when none does (then AT_PHDR is not passed). */
static uint64_t phdr_vaddr(const void *img, const struct elf_user_image *im) {
    const struct elf64_ehdr *eh = img;
    uint64_t lo = eh->e_phoff, hi = lo + (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
    for (uint32_t i = 0; i < im->nseg; i++) {
        const struct elf_user_seg *s = &im->seg[i];
        if (lo >= s->offset && hi <= s->offset + s->filesz) return s->vaddr + (lo - s->offset);
    }
    return 0;
}

/* The absolute path of the image (as the program source resolved it), for
 * /proc/self/exe and AT_EXECFN. */
static void set_exe_path(struct proc *p, const char *path) {
    strlcpy(p->exe_path, path, sizeof p->exe_path);
}

static void set_cmdline(struct proc *p, int argc, char *const argv[]) {
    uint32_t n = 0;
    for (int i = 0; i < argc && n < sizeof p->cmdline; i++) {
        uint64_t len = strlen(argv[i]) + 1;
        if (len > sizeof p->cmdline - n) len = sizeof p->cmdline - n;
        memcpy(p->cmdline + n, argv[i], len);
        n += (uint32_t)len;
    }
    p->cmdline_len = n;
}

static int load_image(struct proc *p, const char *path, const void *img, uint64_t size,
                      const struct loader_args *args, uint64_t *entry, uint64_t *user_sp, const char **why);
static int load_script(struct proc *p, const struct shebang *sb, const char *script_path,
                       const struct loader_args *args, uint64_t *entry, uint64_t *user_sp, const char **why);

int loader_load(struct proc *p, const char *path, const struct loader_args *args, uint64_t *entry,
                uint64_t *user_sp, const char **why) {
    const void *img;
    uint64_t size;
    *why = "no such program";
    if (args->argc < 0 || args->envc < 0 || (uint64_t)args->argc + (uint64_t)args->envc > USTACK_VECTOR_MAX) {
        *why = "too many arguments";
        return -E2BIG;
    }
    void *owned;
    if (!program_find) return -ENOENT;
    char resolved[PROC_EXE_MAX];
    strlcpy(resolved, path, sizeof resolved);
    int r = program_find(path, &img, &size, &owned, resolved);
    if (r) {
        if (r == -EFBIG) *why = "the program file is too large";
        else if (r == -EACCES) *why = "not a regular file";
        else if (r != -ENOENT) *why = "cannot read the program file";
        return r;
    }
    struct shebang *sb = kmalloc(sizeof *sb);
    if (!sb) { kfree(owned); *why = "out of memory"; return -ENOMEM; }
    int script = shebang_parse(img, size, sb);
    if (script == 0) r = load_image(p, resolved, img, size, args, entry, user_sp, why);
    else if (script < 0) { *why = "the #! line is not usable (see kernel/shebang.h)"; r = -ENOEXEC; }
    else r = load_script(p, sb, resolved, args, entry, user_sp, why);
    kfree(sb);
    kfree(owned);
    return r;
}

/* An interpreter script: the interpreter runs with argv
 *   interpreter [argument] script-path argv[1] ...
 * as on Linux. One level only: an interpreter that is a script itself is
 * refused (-ELOOP), so a chain of scripts cannot recurse in the kernel. */
static int load_script(struct proc *p, const struct shebang *sb, const char *script_path,
                       const struct loader_args *args, uint64_t *entry, uint64_t *user_sp, const char **why) {
    int extra = sb->has_arg ? 2 : 1, rest = args->argc > 0 ? args->argc - 1 : 0;
    if ((uint64_t)rest + (uint64_t)extra + 1 + (uint64_t)args->envc > USTACK_VECTOR_MAX) {
        *why = "too many arguments";
        return -E2BIG;
    }
    char **argv = kmalloc(sizeof(char *) * (uint64_t)(rest + extra + 1));
    char *resolved = kmalloc(PROC_EXE_MAX);
    int r = -ENOMEM;
    *why = "out of memory";
    if (argv && resolved) {
        int n = 0;
        argv[n++] = (char *)sb->interp;
        if (sb->has_arg) argv[n++] = (char *)sb->arg;
        argv[n++] = (char *)script_path;
        for (int i = 1; i < args->argc; i++) argv[n++] = args->argv[i];
        struct loader_args la = { n, argv, args->envc, args->envp };
        const void *img;
        uint64_t size;
        void *owned;
        strlcpy(resolved, sb->interp, PROC_EXE_MAX);
        r = program_find(sb->interp, &img, &size, &owned, resolved);
        if (r) {
            *why = "the #! interpreter cannot be loaded";
        } else {
            if (size >= 2 && ((const char *)img)[0] == '#' && ((const char *)img)[1] == '!') {
                *why = "the #! interpreter is a script itself (one level only)";
                r = -ELOOP;
            } else {
                r = load_image(p, resolved, img, size, &la, entry, user_sp, why);
            }
            kfree(owned);
        }
    }
    kfree(resolved);
    kfree(argv);
    return r;
}

static int load_image(struct proc *p, const char *path, const void *img, uint64_t size,
                      const struct loader_args *args, uint64_t *entry, uint64_t *user_sp, const char **why) {
    struct elf_user_image im;
    int r = elf_user_validate(img, size, &im);
    if (r) { *why = elf_user_strerror(r); return -ENOEXEC; }
    /* ET_DYN: a random page slide for the program base. The validator
     * checked the segments as linked; the slide keeps them below the mmap
     * area. (No dynamic relocations are applied: the user build refuses
     * PIE programs that would need any, see user/user_pie.ld.) */
    uint64_t bias = 0;
    if (im.type == ELF_ET_DYN) {
        bias = aslr_slide_pages(ASLR_PIE_BITS) * 4096;
        if (im.vmax + bias > USER_MMAP_BASE) { *why = "a position-independent program too large to place"; return -ENOEXEC; }
    }
    uint64_t max_mem = USER_DEFAULT_MAX_MEM;
    p->abi = im.has_manifest && !(im.manifest.flags & MANIFEST_FLAG_ABI_LINUX) ? PROC_ABI_SECOS : PROC_ABI_LINUX;
    if (im.has_manifest) {
        p->manifest = im.manifest;
        p->has_manifest = 1;
        /* The manifest can only ask for less: the system's cap is the
         * ceiling, whatever a (possibly patched) program claims. */
        if (im.manifest.max_mem && im.manifest.max_mem < max_mem) max_mem = im.manifest.max_mem;
    }
    /* Refuse before allocating anything: a huge bss must not drain the PMM
     * just to be turned down afterwards. +1: the first stack page. */
    if ((elf_user_pages(&im) + 1) * 4096 > max_mem) {
        *why = "the program needs more memory than its manifest's max_mem allows";
        return -ENOMEM;
    }
    /* The pages mapped now (file-backed ones, the first stack page, tables)
     * must fit in the system's budget for user memory as well. */
    uint64_t eager = 16;
    for (uint32_t i = 0; i < im.nseg; i++) eager += (im.seg[i].filesz + 2 * 4096) / 4096;
    if (!user_budget_allow(eager)) {
        *why = "the memory for user programs is used up (system-wide cap)";
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < im.nseg; i++) {
        r = map_segment(p->as, img, &im.seg[i], bias);
        if (r) { *why = "out of memory while mapping the program"; return r; }
    }
    uint64_t stack_top = USER_STACK_TOP - aslr_slide_pages(ASLR_STACK_BITS) * 4096;
    set_exe_path(p, path);
    set_cmdline(p, args->argc, args->argv);
    uint64_t aux[2 * 16];
    uint8_t random16[16];
    entropy_bytes(random16, sizeof random16);
    struct ustack_args sa = { args->argc, args->envc, args->argv, args->envp, p->exe_path, random16, aux,
                              build_auxv(aux, &im, phdr_vaddr(img, &im),
                                         ((const struct elf64_ehdr *)img)->e_phnum, bias) };
    r = build_stack(p->as, stack_top, &sa, user_sp);
    if (r) { *why = r == -E2BIG ? "arguments do not fit on the stack" : "out of memory for the stack"; return r; }
    if (p->as->owned_frames * 4096 > max_mem) {
        *why = "the program needs more memory than its manifest's max_mem allows";
        return -ENOMEM;
    }
    p->as->page_limit = max_mem / 4096;
    umem_init_layout(p, im.vmax + bias, stack_top - USER_STACK_MAX);
    p->fs_base = 0;
    *entry = im.entry + bias;
    *why = "";
    return 0;
}

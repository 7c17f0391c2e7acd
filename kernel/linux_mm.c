/* The Linux memory calls: mmap, munmap, mprotect, brk, madvise. They decode
 * Linux's flags and hand the work to kernel/umem.c, which owns the rules
 * (W^X, the page budget, the user-half bounds). Supported: anonymous
 * private mappings (MAP_FIXED, MAP_FIXED_NOREPLACE, an address hint,
 * PROT_NONE) and private file mappings (copied at mmap time: RAMFS has no
 * page cache to share); shared mappings are refused. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/umem.h"
#include "secos/errno.h"

#define LINUX_MAP_SHARED          0x01
#define LINUX_MAP_PRIVATE         0x02
#define LINUX_MAP_TYPE            0x0f
#define LINUX_MAP_FIXED           0x10
#define LINUX_MAP_ANONYMOUS       0x20
#define LINUX_MAP_HUGETLB         0x40000
#define LINUX_MAP_FIXED_NOREPLACE 0x100000
/* Flags that change nothing here: GROWSDOWN, DENYWRITE, EXECUTABLE, LOCKED,
 * NORESERVE, POPULATE, NONBLOCK, STACK (demand-zero either way). */
#define LINUX_MAP_IGNORED (0x100 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000)

#define LINUX_MADV_DONTNEED 4

long linux_mmap(SYSARGS) {
    UNUSED_ARGS();
    uint64_t addr = a0, len = a1, prot = a2, flags = a3, off = a5;
    if ((flags & LINUX_MAP_TYPE) != LINUX_MAP_PRIVATE) return -EINVAL; /* no shared memory (yet) */
    if (flags & ~(uint64_t)(LINUX_MAP_TYPE | LINUX_MAP_FIXED | LINUX_MAP_ANONYMOUS | LINUX_MAP_FIXED_NOREPLACE |
                            LINUX_MAP_IGNORED))
        return -EINVAL;
    if (off & 0xfff) return -EINVAL;
    int place = (flags & LINUX_MAP_FIXED_NOREPLACE) ? UMEM_FIXED_NOREPLACE
              : (flags & LINUX_MAP_FIXED)           ? UMEM_FIXED
                                                    : UMEM_HINT;
    if (!(flags & LINUX_MAP_ANONYMOUS)) return umem_map_file(current, addr, len, prot, place, a4, off);
    return umem_map(current, addr, len, prot, place);
}

long linux_munmap(SYSARGS) {
    UNUSED_ARGS();
    return umem_unmap(current, a0, a1);
}

long linux_mprotect(SYSARGS) {
    UNUSED_ARGS();
    return umem_protect(current, a0, a1, a2);
}

/* brk(0) and any request that cannot be met return the current break
 * unchanged, which is how both libcs detect failure (never a fake success). */
long linux_brk(SYSARGS) {
    UNUSED_ARGS();
    return (long)umem_brk(current, a0);
}

long linux_madvise(SYSARGS) {
    UNUSED_ARGS();
    if (a0 & 0xfff) return -EINVAL;
    if (a2 == LINUX_MADV_DONTNEED) return umem_discard(current, a0, a1);
    return 0; /* advice only */
}

/* Linux-personality memory calls on top of SECoS's anonymous mappings.
 * Limits of this first version: mmap takes anonymous private mappings at
 * an address the kernel picks (MAP_FIXED and PROT_NONE fail, which both
 * libcs tolerate), munmap whole mappings, mprotect only checks W^X and
 * leaves pages as they are, and brk never moves (LINUX_ABI.md §8: both
 * libcs then fall back to mmap). */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "secos/errno.h"

#define LINUX_MAP_SHARED    0x01
#define LINUX_MAP_PRIVATE   0x02
#define LINUX_MAP_FIXED     0x10
#define LINUX_MAP_ANONYMOUS 0x20

long linux_mmap(SYSARGS) {
    UNUSED_ARGS();
    uint64_t len = a1, prot = a2, flags = a3;
    if ((flags & (LINUX_MAP_SHARED | LINUX_MAP_PRIVATE)) != LINUX_MAP_PRIVATE) return -EINVAL;
    if (!(flags & LINUX_MAP_ANONYMOUS)) return -ENODEV;
    if (flags & LINUX_MAP_FIXED) return -EINVAL;
    if (prot & PROT_EXEC) return -EPERM;
    if (!prot) return -EINVAL;
    return sys_mmap(0, len, prot | PROT_READ, 0, 0, 0);
}

long linux_munmap(SYSARGS) {
    UNUSED_ARGS();
    return sys_munmap(a0, a1, 0, 0, 0, 0);
}

long linux_mprotect(SYSARGS) {
    UNUSED_ARGS();
    if (a0 & 0xfff) return -EINVAL;
    if ((a2 & PROT_WRITE) && (a2 & PROT_EXEC)) return -EACCES; /* never W and X at once */
    if (a2 & PROT_EXEC) return -EACCES;                        /* no page becomes executable */
    return 0;
}

/* The break never moves: the answer is always the current break, which
 * glibc and musl read as "brk failed" for any other request. */
long linux_brk(SYSARGS) {
    UNUSED_ARGS();
    return (long)current->brk;
}

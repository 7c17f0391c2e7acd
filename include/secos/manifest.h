/* The security manifest every SECoS user program carries: a PT_NOTE with
 * name "SECOS" and type QSEC whose descriptor is struct secos_manifest.
 * The loader refuses unknown versions and flags, an entry_hint that is not
 * the entry point, and a program whose pages exceed max_mem. Every limit in
 * it can only lower the kernel's default. */
#ifndef SECOS_MANIFEST_H
#define SECOS_MANIFEST_H
#include <stdint.h>

#define SECOS_NOTE_NAME "SECOS"            /* namesz 6, NUL included */
#define SECOS_NOTE_TYPE_QSEC 0x43455351u   /* "QSEC" little-endian */
#define SECOS_MANIFEST_VERSION 1

#define MANIFEST_FLAG_REQUIRE_WX_BLOCK (1u << 0) /* refuse any W+X segment (always enforced anyway) */
#define MANIFEST_FLAG_STACK_GUARD      (1u << 1) /* unmapped guard page below the stack */
#define MANIFEST_FLAG_NX_DATA          (1u << 2) /* data segments NX */
#define MANIFEST_FLAG_RX_CODE          (1u << 3) /* code segments read+execute only */
/* The program uses the Linux x86-64 system call ABI (SYSCALL only, Linux
 * numbers) but keeps the manifest's limits. A kernel that does not know the
 * flag refuses the program, so the choice fails closed. */
#define MANIFEST_FLAG_ABI_LINUX        (1u << 4)
/* May mount and unmount disk file systems (fs/mount.h); Linux programs,
 * which carry no manifest, never may. */
#define MANIFEST_FLAG_MOUNT            (1u << 5)
/* The program may call reboot(2) (power off, restart, halt), which is
 * otherwise init's (pid 1) alone. Fails closed like the ABI flag: a kernel
 * that does not know it refuses the program, and a program without a
 * manifest (any unmodified Linux binary) never has it. */
#define MANIFEST_FLAG_POWER            (1u << 6)
/* The program may open the raw frame devices /dev/eth<N>
 * (include/secos/netraw.h): the network server's flag. No Linux program
 * (no manifest) ever has it. */
#define MANIFEST_FLAG_NET_RAW          (1u << 7)
#define MANIFEST_FLAGS_KNOWN 0xffu

struct secos_manifest {
    uint32_t version;
    uint32_t flags;
    uint64_t max_mem;    /* bytes of user memory the process may occupy; 0 = kernel default; never above it */
    uint64_t entry_hint; /* 0, or must equal the ELF entry */
    /* Optional tail: a descriptor of SECOS_MANIFEST_BASE_SIZE bytes ends
     * above and reads as 0 here. RAMFS quota for what the process creates;
     * 0 = the kernel default, and never above it. */
    uint32_t max_fs_nodes;
    uint32_t max_fs_kib;
};
#define SECOS_MANIFEST_BASE_SIZE 24u   /* version .. entry_hint */

#endif

/* The system call tables, generated from the one list of each personality
 * (include/secos/syscall.h, include/secos/linux_syscall.h): entry N is the
 * handler of N, or 0 for a number the personality does not have. They live
 * at the top because they name handlers from every layer (kernel, fs,
 * dspace); the core's dispatcher only receives them through
 * syscall_set_abi(). */
#include "init/syscall_table.h"

#define SYSCALL_ENTRY(num, name) [num] = sys_##name,
const syscall_fn syscall_table[SYS_COUNT] = { SECOS_SYSCALLS(SYSCALL_ENTRY) };
#undef SYSCALL_ENTRY

#define LINUX_SYSCALL_ENTRY(num, name, fn) [num] = fn,
const syscall_fn linux_syscall_table[LINUX_SYS_COUNT] = { LINUX_SYSCALLS(LINUX_SYSCALL_ENTRY) };
#undef LINUX_SYSCALL_ENTRY

/* The system call table, generated from the one list in
 * include/secos/syscall.h: entry N is sys_<name of N>. It lives at the top
 * because it names handlers from every layer (kernel, fs, dspace); the core's
 * dispatcher only receives it through syscall_set_table(). */
#include "init/syscall_table.h"

#define SYSCALL_ENTRY(num, name) [num] = sys_##name,
const syscall_fn syscall_table[SYS_COUNT] = { SECOS_SYSCALLS(SYSCALL_ENTRY) };

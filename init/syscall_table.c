/* The system call tables, generated from the one list of each personality
 * (include/secos/syscall.h, include/secos/linux_syscall.h): entry N is the
 * handler of N, or 0 for a number the personality does not have. They live
 * at the top because they name handlers from every layer (kernel, fs,
 * dspace); the core's dispatcher only receives them through
 * syscall_set_abi(). */
#include "init/syscall_table.h"

/* Every number a list does not name is sys_nosys (the range first, then the
 * list overrides it: GCC's documented designated-initializer order). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#define SYSCALL_ENTRY(num, name) [num] = sys_##name,
const syscall_fn syscall_table[SYSCALL_TABLE_SIZE] = {
    [0 ... SYSCALL_TABLE_SIZE - 1] = sys_nosys,
    SECOS_SYSCALLS(SYSCALL_ENTRY)
};
#undef SYSCALL_ENTRY

#define LINUX_SYSCALL_ENTRY(num, name, fn) [num] = fn,
const syscall_fn linux_syscall_table[SYSCALL_TABLE_SIZE] = {
    [0 ... SYSCALL_TABLE_SIZE - 1] = sys_nosys,
    LINUX_SYSCALLS(LINUX_SYSCALL_ENTRY)
};
#pragma GCC diagnostic pop
#undef LINUX_SYSCALL_ENTRY

/* A number listed twice would silently keep the later handler (the
 * override warning is off above): duplicate case labels make it a build
 * error instead. Never called. */
#define SYSCALL_CASE(num, name) case num:
#define LINUX_SYSCALL_CASE(num, name, fn) case num:
int syscall_lists_have_unique_numbers(int nr);
int syscall_lists_have_unique_numbers(int nr) {
    switch (nr) { SECOS_SYSCALLS(SYSCALL_CASE) return 1; default: break; }
    switch (nr) { LINUX_SYSCALLS(LINUX_SYSCALL_CASE) return 1; default: break; }
    return 0;
}

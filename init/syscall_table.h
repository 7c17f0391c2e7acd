#ifndef INIT_SYSCALL_TABLE_H
#define INIT_SYSCALL_TABLE_H
#include "kernel/syscall.h"

extern const syscall_fn syscall_table[SYS_COUNT];
extern const syscall_fn linux_syscall_table[LINUX_SYS_COUNT];

#endif

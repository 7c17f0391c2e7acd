#ifndef INIT_SYSCALL_TABLE_H
#define INIT_SYSCALL_TABLE_H
#include "kernel/syscall.h"

extern const syscall_fn syscall_table[SYSCALL_TABLE_SIZE];
extern const syscall_fn linux_syscall_table[SYSCALL_TABLE_SIZE];

#endif

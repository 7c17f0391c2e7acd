/* System call dispatch. The handlers live with the subsystem that owns them
 * (processes here, files in fs/, Driver Space in dspace/); the table that
 * maps numbers to handlers is generated from the one list in
 * include/secos/syscall.h (init/syscall_table.c) and installed at boot.
 *
 * Every handler has exactly the prototype below, declared here from the same
 * list: a handler that is missing, misspelt or has the wrong type is a build
 * error (undefined reference, or -Wmissing-prototypes on the stray name). */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H
#include <stdint.h>
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/cpu.h"
#include "secos/syscall.h"
#include "secos/linux_syscall.h"

#define SYSARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5
#define UNUSED_ARGS(...) (void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5

typedef long (*syscall_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

#define SYSCALL_PROTOTYPE(num, name) long sys_##name(SYSARGS);
SECOS_SYSCALLS(SYSCALL_PROTOTYPE)
#undef SYSCALL_PROTOTYPE

#define LINUX_SYSCALL_PROTOTYPE(num, name, fn) long fn(SYSARGS);
LINUX_SYSCALLS(LINUX_SYSCALL_PROTOTYPE)
#undef LINUX_SYSCALL_PROTOTYPE

/* Entries in every personality's table (numbers above the last call are
 * sys_nosys): one bound for all, a constant in the dispatcher. */
#define SYSCALL_TABLE_SIZE LINUX_SYS_COUNT
_Static_assert(SYS_COUNT <= SYSCALL_TABLE_SIZE, "the SECoS list outgrew the table");

/* One personality's table (enum proc_abi): entry nr is the handler or 0;
 * int80 says whether INT 0x80 reaches it (SECoS: yes; Linux: no). */
struct syscall_abi {
    const syscall_fn *table;
    uint32_t count;
    uint8_t int80;
    const char *name;
};
/* Installs a personality's table (once, at boot, before the seal). Every
 * entry below count must be set: holes hold sys_nosys. */
void syscall_set_abi(int abi, const struct syscall_abi *a);
/* The table SYSCALL uses from now on: the scheduler calls it with the
 * personality of the task it switches to, exec with the new image's. */
void syscall_activate(int abi);
void syscall_dispatch(struct trapframe *tf);        /* SYSCALL */
void syscall_dispatch_int80(struct trapframe *tf);  /* INT 0x80 */
/* The handler of every number a personality does not have: -ENOSYS, logged
 * once per process and number for Linux programs (reads the number from the
 * process's trapframe). */
long sys_nosys(SYSARGS);
void syscall_bad_return(struct trapframe *tf) __attribute__((noreturn));
extern const char *const syscall_names[SYS_COUNT];

/* Syscalls run with interrupts on (they may block); the entry paths arrive
 * with them off. */
static inline void cpu_enable_interrupts_in_syscall(void) { cpu_sti(); }

#endif

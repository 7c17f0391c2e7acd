#ifndef ARCH_X86_64_PANIC_H
#define ARCH_X86_64_PANIC_H

/* Prints "[PANIC] <message>", the current registers and a backtrace on every
 * console, then halts this CPU for good. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
/* Same, without the register dump (the caller already printed a trapframe). */
__attribute__((noreturn, format(printf, 1, 2))) void panic_halt(const char *fmt, ...);

#define KASSERT(cond) do { if (!(cond)) panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

const char *exception_name(unsigned long vector);

#endif

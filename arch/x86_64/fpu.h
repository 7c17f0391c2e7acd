/* x87/SSE state. The kernel never touches it (-mgeneral-regs-only); each
 * process owns a 512-byte FXSAVE image saved and restored on every switch. */
#ifndef ARCH_X86_64_FPU_H
#define ARCH_X86_64_FPU_H
#include <stdint.h>

struct fpu_state { uint8_t fxsave[512]; } __attribute__((aligned(16)));

void fpu_init(void);                       /* CR0/CR4 bits + a clean template */
void fpu_state_init(struct fpu_state *s);  /* a new process's state: the clean template */
static inline void fpu_save(struct fpu_state *s) { __asm__ volatile("fxsave64 %0" : "=m"(*s)); }
static inline void fpu_restore(const struct fpu_state *s) { __asm__ volatile("fxrstor64 %0" ::"m"(*s)); }

#endif

#ifndef ARCH_X86_64_CANARY_H
#define ARCH_X86_64_CANARY_H
#include <stdint.h>

void canary_init(void);          /* first thing kernel_main does */
/* A new guard from the pool once stronger sources were added; only from a
 * frame that never returns (see canary.c). */
void canary_rekey(void);
extern uint64_t __stack_chk_guard;

#endif

#ifndef ARCH_X86_64_CANARY_H
#define ARCH_X86_64_CANARY_H
#include <stdint.h>

void canary_init(void);          /* first thing kernel_main does */
extern uint64_t __stack_chk_guard;

#endif

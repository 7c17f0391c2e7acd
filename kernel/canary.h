#ifndef KERNEL_CANARY_H
#define KERNEL_CANARY_H
#include <stdint.h>

void canary_init(void);          /* first thing kernel_main does */
uint64_t entropy_u64(void);      /* RDSEED/RDRAND, else TSC-mixed */
extern const char *entropy_source; /* "rdseed", "rdrand" or "tsc" */
extern uint64_t __stack_chk_guard;

#endif

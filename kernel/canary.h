#ifndef KERNEL_CANARY_H
#define KERNEL_CANARY_H
#include <stdint.h>

void canary_init(void);          /* first thing kernel_main does */
#include "kernel/entropy.h"      /* entropy_u64 */
extern const char *entropy_source; /* the sources mixed in, e.g. "rdrand+jitter+pit+rtc+tsc" */
extern uint64_t __stack_chk_guard;

#endif

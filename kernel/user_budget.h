/* System-wide limits on user memory (kernel/user_budget.c). In frames. */
#ifndef KERNEL_USER_BUDGET_H
#define KERNEL_USER_BUDGET_H
#include <stdint.h>

uint64_t user_budget_reserve(void);  /* frames user allocations never take */
uint64_t user_budget_cap(void);      /* most frames all user spaces may hold together */
uint64_t user_budget_in_use(void);   /* frames they hold now */
/* 1 if `frames` more user frames fit under the cap and above the reserve. */
int user_budget_allow(uint64_t frames);

#endif

/* The ring-3 demos: built into the test configuration only (CONFIG=test). */
#ifndef TESTS_KERNEL_DEMOS_H
#define TESTS_KERNEL_DEMOS_H

#if SECOS_TEST_CONFIG
void demos_run(void); /* no-op unless built with -DM7_RING3_DEMO=1 / -DM8_SCHED_DEMO=1 */
#else
static inline void demos_run(void) {}
#endif

#endif

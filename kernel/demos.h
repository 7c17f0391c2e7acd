#ifndef KERNEL_DEMOS_H
#define KERNEL_DEMOS_H
void demos_run(void); /* no-op unless built with -DM7_RING3_DEMO=1 / -DM8_SCHED_DEMO=1 */
#endif

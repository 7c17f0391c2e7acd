/* Intel 8254x/82574 gigabit NICs (QEMU's e1000 and e1000e) as netdevs. */
#ifndef DRIVERS_E1000_H
#define DRIVERS_E1000_H

/* Probes every supported function: the number of NICs registered. */
int e1000_init(void);

#endif

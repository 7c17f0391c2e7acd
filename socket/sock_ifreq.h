/* The interface ioctls on a socket descriptor (SIOCGIFCONF, SIOCGIFFLAGS,
 * SIOCGIFADDR, ... : what busybox ifconfig asks), answered from the NIC
 * registry and the address the network server reported (EV_IFADDR). Read
 * only: configuring an interface is the server's (DHCP), so every SIOCS*
 * is -EPERM. */
#ifndef SOCKET_SOCK_IFREQ_H
#define SOCKET_SOCK_IFREQ_H
#include <stdint.h>

/* 1 when req is an interface ioctl (then *ret is its result), else 0. */
int sock_ifreq_ioctl(uint64_t req, uint64_t arg, long *ret);

#endif

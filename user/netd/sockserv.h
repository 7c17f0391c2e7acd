/* netd --daemon: serving the kernel's sockets over /dev/netsrv
 * (include/secos/netsrv.h). main.c's loop polls sockserv_fd() for
 * sockserv_events(), then calls sockserv_service() with what poll saw and
 * sockserv_flush() after every round (lwIP's callbacks queue events too). */
#ifndef NETD_SOCKSERV_H
#define NETD_SOCKSERV_H
#include "lwip/netif.h"

/* Opens /dev/netsrv (the kernel then knows the network is up) and queues
 * EV_IFADDR for nif: 0, or -1 with the reason on stderr. */
int sockserv_open(struct netif *nif);
int sockserv_fd(void);
short sockserv_events(void);
/* Reads and applies the kernel's messages: 0, or -1 when the channel failed. */
int sockserv_service(short revents);
/* Writes the queued messages (what the kernel cannot take yet stays): 0 or -1. */
int sockserv_flush(void);
/* Queues EV_IFADDR when the interface's configuration changed. */
void sockserv_check_ifaddr(void);

#endif

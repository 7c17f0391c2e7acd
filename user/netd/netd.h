/* netd, SECoS's network server: lwIP (Debian's source package, NO_SYS
 * mode) in one ring-3 process that alone may open the raw frame device
 * (manifest flag MANIFEST_FLAG_NET_RAW). */
#ifndef NETD_H
#define NETD_H
#include <stdint.h>
#include "lwip/netif.h"

int netd_random_init(void);
uint32_t netd_random_u32(void);

/* The NIC behind /dev/ethN as an lwIP netif (netif_raw.c). */
int netif_raw_open(struct netif *nif, const char *dev);
/* Feeds every queued frame to lwIP: frames taken, or -1 when the device failed. */
int netif_raw_input(struct netif *nif);
int netif_raw_fd(const struct netif *nif);

/* ICMP echo (ping.c): sends count requests to dst one a second; prints each reply. */
void ping_start(const ip4_addr_t *dst, int count);
int ping_done(void);      /* 1 once every reply arrived or timed out */
int ping_received(void);

#endif

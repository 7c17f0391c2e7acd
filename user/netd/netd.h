/* netd, SECoS's network server: lwIP (Debian's source package, NO_SYS
 * mode) in one ring-3 process that alone may open the raw frame device
 * (manifest flag MANIFEST_FLAG_NET_RAW). With --daemon it serves every
 * program's sockets over /dev/netsrv: sockserv.h (the channel), sock.h
 * (the records and the per-protocol files sock_tcp.c, sock_udp.c,
 * sock_icmp.c). */
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

/* HTTP/1.0 GET of path from ip:port over TCP (http_get.c): prints status,
 * body size, time and the body's SHA-256. 0, or -1 (bad path, no pcb). */
int http_get_start(const ip4_addr_t *ip, uint16_t port, const char *path);
int http_get_done(void);
int http_get_failed(void);

/* HTTP/1.0 file server on port (http_serve.c), files under root: 0 or -1. */
int http_serve_start(uint16_t port, const char *root);
int http_served(void);   /* files sent completely so far */

#endif

/* lwIP hooks netd provides (LWIP_HOOK_FILENAME). */
#ifndef NETD_HOOKS_H
#define NETD_HOOKS_H
#include "lwip/ip_addr.h"

/* RFC 6528: a keyed hash of the connection's addresses and ports plus a
 * clock ticking every 4 microseconds. */
u32_t netd_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip, u16_t remote_port);

#endif

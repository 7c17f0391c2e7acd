/* lwIP hooks of the fuzz target (LWIP_HOOK_FILENAME), as netd has them. */
#ifndef FUZZ_LWIP_HOOKS_H
#define FUZZ_LWIP_HOOKS_H
#include "lwip/ip_addr.h"

u32_t fuzz_lwip_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip, u16_t remote_port);

#endif

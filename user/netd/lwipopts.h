/* lwIP's configuration for netd: no OS threads (NO_SYS: one loop calls
 * into the stack), IPv4 with ARP, ICMP, UDP, TCP, DHCP and DNS, a loopback
 * interface (127.0.0.1, and our own address looped back) for programs
 * talking to each other. Asserts stay on: a failed one ends netd alone,
 * never the kernel (which restarts it). */
#ifndef NETD_LWIPOPTS_H
#define NETD_LWIPOPTS_H

#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0
#define LWIP_SOCKET                 0
#define LWIP_NETCONN                0
#define LWIP_IPV4                   1
#define LWIP_IPV6                   0
#define LWIP_ARP                    1
#define LWIP_ETHERNET               1
#define LWIP_ICMP                   1
#define LWIP_RAW                    1
#define LWIP_UDP                    1
#define LWIP_TCP                    1
#define LWIP_DHCP                   1
#define DHCP_DOES_ARP_CHECK         0   /* slirp's network has no address conflicts to probe for */
#define LWIP_DNS                    1
#define LWIP_NETIF_STATUS_CALLBACK  1
#define LWIP_NETIF_LINK_CALLBACK    1
#define LWIP_STATS                  0
#define LWIP_ERRNO_STDINCLUDE       1
#define LWIP_NETIF_LOOPBACK         1   /* netd's loop calls netif_poll_all() */
#define LWIP_HAVE_LOOPIF            1
#define SO_REUSE                    1   /* SO_REUSEADDR */
#define IP_SOF_BROADCAST            1   /* UDP broadcast only with SO_BROADCAST, as on Linux */
#define TCP_LISTEN_BACKLOG          1   /* a full accept queue drops SYNs (sock_tcp.c) */

#define MEM_ALIGNMENT               8
/* Sized for the sockets of every program (the kernel bounds how many it
 * opens): the heap holds every byte queued for sending (tcp_write copies)
 * and looped-back packets; a full heap or pool only slows a connection
 * down (sock_tcp.c retries), it never loses bytes. */
#define MEM_SIZE                    (6 * 1024 * 1024)
#define MEMP_NUM_PBUF               128
#define PBUF_POOL_SIZE              1024
#define MEMP_NUM_RAW_PCB            32
#define MEMP_NUM_UDP_PCB            64
#define MEMP_NUM_TCP_PCB            160
#define MEMP_NUM_TCP_PCB_LISTEN     32
#define MEMP_NUM_TCP_SEG            2048
#define TCP_MSS                     1460
#define TCP_WND                     (32 * TCP_MSS)
#define TCP_SND_BUF                 (32 * TCP_MSS)
#define TCP_SND_QUEUELEN            (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_WND_SCALE              1
#define TCP_RCV_SCALE               2

/* Randomness from the kernel (getrandom): DHCP transaction ids, DNS ids
 * and ports, ephemeral ports; TCP initial sequence numbers per RFC 6528. */
#include <stdint.h>
uint32_t netd_random_u32(void);
#define LWIP_RAND() netd_random_u32()
#define LWIP_HOOK_FILENAME "netd_hooks.h"
#define LWIP_HOOK_TCP_ISN netd_tcp_isn

#endif

/* lwIP's configuration for the fuzz target (tests/fuzz/fuzz_lwip.c): the
 * modules and sizes of netd's (user/netd/lwipopts.h: NO_SYS, IPv4, ARP,
 * ICMP, raw, UDP, TCP, DHCP, DNS), asserts on, with what fuzzing needs:
 *  - every lwIP object (pbufs, PCBs, segments, timeouts, the DHCP state) is
 *    malloc'd (MEM_LIBC_MALLOC, MEMP_MEM_MALLOC) through the harness, so
 *    AddressSanitizer sees each one with its own redzones and the harness can
 *    free all of them after each input;
 *  - checksum checks per netif (the harness turns them on or off per input:
 *    off, so mutated frames get past them; on, so the checks run too);
 *  - fixed "random" numbers and TCP initial sequence number, so an input
 *    replays the same way and a seed can answer the stack's SYN, DHCP
 *    transaction id and DNS query id. */
#ifndef FUZZ_LWIPOPTS_H
#define FUZZ_LWIPOPTS_H

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
#define DHCP_DOES_ARP_CHECK         0
#define LWIP_DNS                    1
#define LWIP_NETIF_STATUS_CALLBACK  1
#define LWIP_NETIF_LINK_CALLBACK    1
#define LWIP_STATS                  0
#define LWIP_ERRNO_STDINCLUDE       1
#define LWIP_NETIF_LOOPBACK         1   /* the harness polls it, as netd's loop does */
#define LWIP_HAVE_LOOPIF            1
#define SO_REUSE                    1
#define IP_SOF_BROADCAST            1
#define TCP_LISTEN_BACKLOG          1

#define MEM_ALIGNMENT               8
#define MEM_LIBC_MALLOC             1
#define MEMP_MEM_MALLOC             1
#include <stddef.h>
void *fuzz_lwip_malloc(size_t size);
void *fuzz_lwip_calloc(size_t n, size_t size);
void fuzz_lwip_free(void *p);
#define mem_clib_malloc             fuzz_lwip_malloc
#define mem_clib_calloc             fuzz_lwip_calloc
#define mem_clib_free               fuzz_lwip_free
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

#define LWIP_CHECKSUM_CTRL_PER_NETIF 1

#include <stdint.h>
uint32_t fuzz_lwip_rand(void);
#define LWIP_RAND() fuzz_lwip_rand()
#define LWIP_HOOK_FILENAME "fuzz_lwip_hooks.h"
#define LWIP_HOOK_TCP_ISN fuzz_lwip_tcp_isn

#endif

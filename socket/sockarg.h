/* The socket calls' arguments from user memory, checked: addresses
 * (struct sockaddr_in), the socket type, backlogs, option values. Pure (no
 * kernel state): host-tested (test_sockarg) and fuzzed (fuzz_sockarg). */
#ifndef SOCKET_SOCKARG_H
#define SOCKET_SOCKARG_H
#include <stdint.h>

/* An IPv4 endpoint in host integers (10.0.2.15 is 0x0a00020f). */
struct sock_addr { uint32_t addr, port; };

#define SOCKARG_AF_UNIX   1
#define SOCKARG_AF_INET   2
#define SOCKARG_IN_LEN    16           /* sizeof(struct sockaddr_in) */
#define SOCKARG_NONBLOCK  04000        /* SOCK_NONBLOCK = O_NONBLOCK */
#define SOCKARG_CLOEXEC   02000000     /* SOCK_CLOEXEC = O_CLOEXEC */

/* A struct sockaddr_in of len bytes: 0 and *out, -EINVAL (shorter than
 * the family field or than sockaddr_in), -EAFNOSUPPORT (not AF_INET). */
int sockarg_parse_in(const uint8_t *buf, uint32_t len, struct sock_addr *out);
/* Writes a's struct sockaddr_in (16 bytes, network byte order) into out. */
void sockarg_fill_in(uint8_t out[SOCKARG_IN_LEN], const struct sock_addr *a);

/* socket(domain, type, protocol): 0 with *kind (SECOS_NETSRV_STREAM,
 * _DGRAM, _ICMP for SOCK_DGRAM + IPPROTO_ICMP, _ICMP_RAW for SOCK_RAW +
 * IPPROTO_ICMP: both are ping sockets) and *flags (SOCKARG_NONBLOCK |
 * SOCKARG_CLOEXEC), or -EAFNOSUPPORT (another family), -EINVAL (unknown
 * type or flag bits), -EPROTONOSUPPORT (a protocol the type does not
 * carry), -EPERM (any other raw socket: packets are the server's alone). */
int sockarg_type(int64_t domain, int64_t type, int64_t protocol, uint8_t *kind, int *flags);

/* listen's backlog clamped to 1..SECOS_NETSRV_BACKLOG_MAX (Linux clamps too). */
uint32_t sockarg_backlog(int64_t backlog);

/* A struct timeval (SO_RCVTIMEO/SO_SNDTIMEO) as milliseconds, 0 meaning no
 * timeout; -EDOM when tv_usec is outside 0..999999 or tv_sec < 0. A value
 * above UINT32_MAX ms is clamped. */
int64_t sockarg_timeval_ms(int64_t sec, int64_t usec);

#endif

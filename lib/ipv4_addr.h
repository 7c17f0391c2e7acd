/* Dotted-quad IPv4 addresses as people type them. Pure. */
#ifndef LIB_IPV4_ADDR_H
#define LIB_IPV4_ADDR_H
#include <stdint.h>

/* Exactly four decimal fields 0..255 separated by dots, no leading zeros
 * beyond a single 0, nothing else: 0 and *out (host order), or -1. */
int ipv4_parse(const char *s, uint32_t *out);
/* "a.b.c.d" into out (16 bytes). */
void ipv4_format(uint32_t ip, char out[16]);

#endif

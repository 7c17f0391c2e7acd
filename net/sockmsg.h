/* Encoding and checking the messages of the kernel <-> network server
 * channel (layout: include/secos/netsrv.h). Pure (no I/O, no allocation):
 * host-tested and fuzzed, as everything the server writes is untrusted. */
#ifndef NET_SOCKMSG_H
#define NET_SOCKMSG_H
#include <stdint.h>
#include "secos/netsrv.h"

struct sockmsg {
    uint16_t op;                /* with SECOS_NETSRV_REPLY in replies */
    uint32_t sock, seq;
    int32_t status;
    uint32_t len;
    uint32_t arg[4];
};

/* Writes m's header into buf (cap >= SECOS_NETSRV_HDR_LEN): the header
 * length, or 0 when cap is too small. The payload is the caller's. */
uint32_t sockmsg_encode(uint8_t *buf, uint32_t cap, const struct sockmsg *m);

/* Checks a message the server wrote (size bytes) and fills *out: 0, or
 * -1 when it is short, has another magic or version, an unknown op, a
 * request op (only replies and events come from the server), socket id 0,
 * a payload longer than SECOS_NETSRV_DATA_MAX or than what follows, a
 * payload on an op that carries none, a status out of range, or a seq on
 * an event. On success the payload is buf[SECOS_NETSRV_HDR_LEN..+len). */
int sockmsg_decode_server(const uint8_t *buf, uint32_t size, struct sockmsg *out);

#endif

/* Encoding and checking the messages of the kernel <-> network server
 * channel (the contract: include/secos/netsrv.h). Pure (no I/O, no
 * allocation): shared by the kernel and netd, host-tested and fuzzed, as
 * everything the server writes is untrusted by the kernel. */
#ifndef LIB_SOCKMSG_H
#define LIB_SOCKMSG_H
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

/* 1 when op (without the reply bit) is a request that is answered. */
int sockmsg_is_request(uint16_t op);
/* 1 when op is a server event. */
int sockmsg_is_event(uint16_t op);

/* Checks a message the server wrote (size bytes available) and fills *out:
 * 0, or -1 when it is short, has another magic or version, an unknown op,
 * a kernel op that is not a reply, a reply to a notice, socket id 0 (but in
 * EV_IFADDR, which must have 0), a payload longer than
 * SECOS_NETSRV_DATA_MAX or than what follows, a payload on an op that
 * carries none, a status out of range or set where none belongs, or a seq
 * on an event (none on a reply). On success the message is
 * SECOS_NETSRV_HDR_LEN + out->len bytes, its payload right after the header. */
int sockmsg_decode_server(const uint8_t *buf, uint32_t size, struct sockmsg *out);

/* The same for a message the kernel wrote (netd's side): requests with a
 * seq, notices without, a payload only on SEND, status 0, no replies or
 * events. */
int sockmsg_decode_kernel(const uint8_t *buf, uint32_t size, struct sockmsg *out);

#endif

/* The channel's header, byte by byte in little-endian (never a struct cast:
 * the layout must not depend on the compiler's padding). */
#include "lib/sockmsg.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | ((uint32_t)get16(p + 2) << 16); }

uint32_t sockmsg_encode(uint8_t *buf, uint32_t cap, const struct sockmsg *m)
{
    if (cap < SECOS_NETSRV_HDR_LEN)
        return 0;
    put32(buf, SECOS_NETSRV_MAGIC);
    put16(buf + 4, SECOS_NETSRV_VERSION);
    put16(buf + 6, m->op);
    put32(buf + 8, m->sock);
    put32(buf + 12, m->seq);
    put32(buf + 16, (uint32_t)m->status);
    put32(buf + 20, m->len);
    for (int i = 0; i < 4; i++)
        put32(buf + 24 + 4 * i, m->arg[i]);
    return SECOS_NETSRV_HDR_LEN;
}

int sockmsg_is_request(uint16_t op)
{
    return op == SECOS_NETSRV_BIND || op == SECOS_NETSRV_LISTEN || op == SECOS_NETSRV_CONNECT ||
           op == SECOS_NETSRV_ACCEPT || op == SECOS_NETSRV_GETNAME;
}

int sockmsg_is_event(uint16_t op)
{
    return op >= SECOS_NETSRV_EV_DATA && op <= SECOS_NETSRV_EV_IFADDR;
}

/* The header's fields, and the checks both directions share: a known op,
 * a payload that is within bounds and present in the buffer. */
static int decode_common(const uint8_t *buf, uint32_t size, struct sockmsg *m)
{
    if (size < SECOS_NETSRV_HDR_LEN || get32(buf) != SECOS_NETSRV_MAGIC || get16(buf + 4) != SECOS_NETSRV_VERSION)
        return -1;
    m->op = get16(buf + 6);
    m->sock = get32(buf + 8);
    m->seq = get32(buf + 12);
    m->status = (int32_t)get32(buf + 16);
    m->len = get32(buf + 20);
    for (int i = 0; i < 4; i++)
        m->arg[i] = get32(buf + 24 + 4 * i);
    uint16_t base = m->op & (uint16_t)~SECOS_NETSRV_REPLY;
    if (base < SECOS_NETSRV_OPEN || base > SECOS_NETSRV_OP_LAST)
        return -1;
    if (m->len > SECOS_NETSRV_DATA_MAX || m->len > size - SECOS_NETSRV_HDR_LEN)
        return -1;
    return 0;
}

int sockmsg_decode_server(const uint8_t *buf, uint32_t size, struct sockmsg *out)
{
    struct sockmsg m;
    if (decode_common(buf, size, &m) != 0)
        return -1;
    uint16_t base = m.op & (uint16_t)~SECOS_NETSRV_REPLY;
    int reply = (m.op & SECOS_NETSRV_REPLY) != 0;
    if ((base == SECOS_NETSRV_EV_IFADDR) != (m.sock == 0))
        return -1;
    if (m.len != 0 && base != SECOS_NETSRV_EV_DATA)
        return -1;
    if (reply) {
        if (!sockmsg_is_request(base) || m.seq == 0 || m.status < -4095)
            return -1;
    } else {
        if (!sockmsg_is_event(base) || m.seq != 0)
            return -1;
        if (base == SECOS_NETSRV_EV_CLOSED ? m.status < -4095 || m.status > 0 : m.status != 0)
            return -1;
    }
    *out = m;
    return 0;
}

int sockmsg_decode_kernel(const uint8_t *buf, uint32_t size, struct sockmsg *out)
{
    struct sockmsg m;
    if (decode_common(buf, size, &m) != 0)
        return -1;
    if ((m.op & SECOS_NETSRV_REPLY) || sockmsg_is_event(m.op) || m.sock == 0 || m.status != 0)
        return -1;
    if ((m.seq != 0) != sockmsg_is_request(m.op))
        return -1;
    if (m.len != 0 && m.op != SECOS_NETSRV_SEND)
        return -1;
    *out = m;
    return 0;
}

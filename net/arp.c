/* ARP request building and frame checking (net/arp.h). */
#include "net/arp.h"
#include "lib/string.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

uint32_t arp_build_request(uint8_t *frame, uint32_t cap, const uint8_t src_mac[6], uint32_t src_ip,
                           uint32_t target_ip) {
    if (cap < ARP_FRAME_LEN) return 0;
    memset(frame, 0, ARP_FRAME_LEN);
    memset(frame, 0xff, 6);                 /* broadcast */
    memcpy(frame + 6, src_mac, 6);
    put16(frame + 12, ETH_TYPE_ARP);
    uint8_t *a = frame + 14;
    put16(a, 1);                            /* hardware: Ethernet */
    put16(a + 2, ETH_TYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, ARP_OP_REQUEST);
    memcpy(a + 8, src_mac, 6);
    put32(a + 14, src_ip);
    /* target hardware address stays zero: unknown */
    put32(a + 24, target_ip);
    return ARP_FRAME_LEN;
}

int arp_parse(const uint8_t *frame, uint32_t len, struct arp_packet *out) {
    if (len < 14 + 28 || get16(frame + 12) != ETH_TYPE_ARP) return -1;
    const uint8_t *a = frame + 14;
    if (get16(a) != 1 || get16(a + 2) != ETH_TYPE_IPV4 || a[4] != 6 || a[5] != 4) return -1;
    uint16_t op = get16(a + 6);
    if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY) return -1;
    if (a[8] & 1) return -1;                /* a group address cannot be a sender */
    memcpy(out->eth_dst, frame, 6);
    memcpy(out->eth_src, frame + 6, 6);
    out->op = op;
    memcpy(out->sha, a + 8, 6);
    out->spa = get32(a + 14);
    memcpy(out->tha, a + 18, 6);
    out->tpa = get32(a + 24);
    return 0;
}

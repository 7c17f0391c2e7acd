/* ARP over Ethernet for IPv4 (RFC 826): building a request and checking a
 * received frame. Pure (no I/O, no allocation): host-tested and fuzzed, as
 * every frame comes from the network.
 *
 * Addresses are in host byte order here; the frame holds them big-endian. */
#ifndef NET_ARP_H
#define NET_ARP_H
#include <stdint.h>

#define ETH_TYPE_ARP  0x0806
#define ETH_TYPE_IPV4 0x0800
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2
#define ARP_FRAME_LEN  60    /* 14 + 28, padded to Ethernet's minimum (without FCS) */

struct arp_packet {
    uint8_t eth_dst[6], eth_src[6];
    uint16_t op;
    uint8_t sha[6], tha[6];     /* sender and target hardware addresses */
    uint32_t spa, tpa;          /* sender and target IPv4 addresses */
};

/* A broadcast who-has target_ip from (src_mac, src_ip) into frame (cap >=
 * ARP_FRAME_LEN): its length, or 0 when cap is too small. */
uint32_t arp_build_request(uint8_t *frame, uint32_t cap, const uint8_t src_mac[6], uint32_t src_ip,
                           uint32_t target_ip);
/* 0 and *out for an Ethernet/IPv4 ARP request or reply; -1 for anything
 * else (short, another EtherType, hardware or protocol type or length, an
 * unknown operation, a multicast sender address). */
int arp_parse(const uint8_t *frame, uint32_t len, struct arp_packet *out);

#endif

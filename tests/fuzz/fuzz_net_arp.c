/* Fuzzes net/arp.c and lib/ipv4_addr.c with what the network or a console
 * user could send: any frame either parses into an ARP request or reply
 * whose fields are the frame's bytes, or is refused; a request built from
 * the input's addresses parses back to the same addresses; any string
 * either parses as an address that formats back to the same string or is
 * refused. */
#include "tests/fuzz/fuzz.h"
#include "net/arp.h"
#include "lib/ipv4_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct arp_packet p;
    if (arp_parse(data, (uint32_t)size, &p) == 0) {
        CHECK(size >= 42 && (p.op == ARP_OP_REQUEST || p.op == ARP_OP_REPLY));
        CHECK(memcmp(p.sha, data + 22, 6) == 0 && !(p.sha[0] & 1));
    }
    if (size >= 14) {
        uint8_t f[ARP_FRAME_LEN];
        uint32_t src, dst;
        memcpy(&src, data + 6, 4);
        memcpy(&dst, data + 10, 4);
        uint8_t mac[6];
        memcpy(mac, data, 6);
        mac[0] &= 0xfe;
        CHECK(arp_build_request(f, sizeof f, mac, src, dst) == ARP_FRAME_LEN);
        CHECK(arp_parse(f, sizeof f, &p) == 0 && p.op == ARP_OP_REQUEST && p.spa == src && p.tpa == dst);
    }
    char s[32];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = 0;
    uint32_t ip;
    if (ipv4_parse(s, &ip) == 0) {
        char back[16];
        ipv4_format(ip, back);
        CHECK(strcmp(back, s) == 0);
    }
    return 0;
}

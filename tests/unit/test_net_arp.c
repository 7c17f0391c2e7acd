/* net/arp.c and lib/ipv4_addr.c: the request a NIC sends is the RFC 826
 * layout byte for byte; a received frame is taken only when every fixed
 * field is right; addresses typed at the console parse strictly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "net/arp.h"
#include "lib/ipv4_addr.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t GW[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static void test_request_layout(void **state) {
    (void)state;
    uint8_t f[64];
    memset(f, 0xaa, sizeof f);
    assert_int_equal(arp_build_request(f, sizeof f, MAC, 0x0a00020f, 0x0a000202), 60);
    static const uint8_t want[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
        0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
    };
    assert_memory_equal(f, want, sizeof want);
    for (int i = 42; i < 60; i++) assert_int_equal(f[i], 0);   /* padding is zeros, not old memory */
    assert_int_equal(f[60], 0xaa);                             /* nothing past the frame */
    assert_int_equal(arp_build_request(f, 59, MAC, 1, 2), 0);
}

/* A reply as slirp sends it to the request above. */
static uint32_t reply(uint8_t *f) {
    memset(f, 0, 64);
    memcpy(f, MAC, 6);
    memcpy(f + 6, GW, 6);
    f[12] = 0x08; f[13] = 0x06;
    uint8_t *a = f + 14;
    a[1] = 1; a[2] = 0x08; a[4] = 6; a[5] = 4; a[7] = 2;
    memcpy(a + 8, GW, 6);
    a[14] = 10; a[15] = 0; a[16] = 2; a[17] = 2;
    memcpy(a + 18, MAC, 6);
    a[24] = 10; a[25] = 0; a[26] = 2; a[27] = 15;
    return 60;
}

static void test_reply_parses(void **state) {
    (void)state;
    uint8_t f[64];
    struct arp_packet p;
    assert_int_equal(arp_parse(f, reply(f), &p), 0);
    assert_int_equal(p.op, ARP_OP_REPLY);
    assert_memory_equal(p.sha, GW, 6);
    assert_memory_equal(p.tha, MAC, 6);
    assert_int_equal(p.spa, 0x0a000202);
    assert_int_equal(p.tpa, 0x0a00020f);
    assert_int_equal(arp_parse(f, 42, &p), 0);    /* no padding is fine */
}

static void test_bad_frames_refused(void **state) {
    (void)state;
    uint8_t f[64];
    struct arp_packet p;
    static const struct { int off; uint8_t v; } bad[] = {
        { 12, 0x86 },        /* EtherType IPv6 */
        { 15, 6 },           /* hardware type 6 */
        { 16, 0x86 },        /* protocol type */
        { 18, 8 },           /* hardware length */
        { 19, 16 },          /* protocol length */
        { 21, 3 },           /* operation RARP request */
        { 22, 0x01 },        /* multicast sender */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reply(f);
        f[bad[i].off] = bad[i].v;
        assert_int_equal(arp_parse(f, 60, &p), -1);
    }
    reply(f);
    assert_int_equal(arp_parse(f, 41, &p), -1);   /* one byte short */
    assert_int_equal(arp_parse(f, 0, &p), -1);
}

static void test_ipv4_parse(void **state) {
    (void)state;
    uint32_t ip = 0;
    assert_int_equal(ipv4_parse("10.0.2.15", &ip), 0);
    assert_int_equal(ip, 0x0a00020f);
    assert_int_equal(ipv4_parse("255.255.255.255", &ip), 0);
    assert_int_equal(ip, 0xffffffff);
    assert_int_equal(ipv4_parse("0.0.0.0", &ip), 0);
    assert_int_equal(ip, 0);
    static const char *const bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1..2.3",
                                       "010.0.0.1", "1.2.3.-4", "1.2.3.4x", "1000.1.1.1", "a.b.c.d", "1.2.3." };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_int_equal(ipv4_parse(bad[i], &ip), -1);
}

static void test_ipv4_format_round_trip(void **state) {
    (void)state;
    static const uint32_t ips[] = { 0, 0x0a00020f, 0xffffffff, 0x7f000001, 0xc0a80164 };
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++) {
        char s[16];
        uint32_t back = 1;
        ipv4_format(ips[i], s);
        assert_int_equal(ipv4_parse(s, &back), 0);
        assert_int_equal(back, ips[i]);
    }
    char s[16];
    ipv4_format(0xc0a80164, s);
    assert_string_equal(s, "192.168.1.100");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_layout),
        cmocka_unit_test(test_reply_parses),
        cmocka_unit_test(test_bad_frames_refused),
        cmocka_unit_test(test_ipv4_parse),
        cmocka_unit_test(test_ipv4_format_round_trip),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}

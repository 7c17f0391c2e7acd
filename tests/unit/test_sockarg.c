/* socket/sockarg.c: what the socket calls take from user memory. A
 * sockaddr_in is read in network byte order and refused when short or of
 * another family; socket()'s type, flags and protocol are checked as
 * Linux does (raw sockets refused: frames are the network server's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "socket/sockarg.h"
#include "secos/errno.h"
#include "secos/netsrv.h"

static void test_parse_in(void **state)
{
    (void)state;
    const uint8_t in[16] = { 2, 0, 0x1f, 0x90, 10, 0, 2, 15 };   /* 10.0.2.15:8080 */
    struct sock_addr a = { 7, 7 };
    assert_int_equal(sockarg_parse_in(in, 16, &a), 0);
    assert_int_equal(a.addr, 0x0a00020f);
    assert_int_equal(a.port, 8080);
    assert_int_equal(sockarg_parse_in(in, 128, &a), 0);            /* longer is fine (sockaddr_storage) */
    a.port = 7;
    assert_int_equal(sockarg_parse_in(in, 15, &a), -EINVAL);       /* short */
    assert_int_equal(sockarg_parse_in(in, 1, &a), -EINVAL);
    assert_int_equal(sockarg_parse_in(in, 0, &a), -EINVAL);
    assert_int_equal(a.port, 7);                                   /* untouched on refusal */
    const uint8_t un[16] = { 1, 0 };
    assert_int_equal(sockarg_parse_in(un, 16, &a), -EAFNOSUPPORT);
    assert_int_equal(sockarg_parse_in(un, 2, &a), -EAFNOSUPPORT);  /* family first, as Linux */
    const uint8_t be[16] = { 0, 2 };                               /* big-endian family: not AF_INET */
    assert_int_equal(sockarg_parse_in(be, 16, &a), -EAFNOSUPPORT);
}

static void test_fill_in(void **state)
{
    (void)state;
    uint8_t out[16];
    memset(out, 0xee, sizeof out);
    struct sock_addr a = { 0x7f000001, 65535 };
    sockarg_fill_in(out, &a);
    const uint8_t want[16] = { 2, 0, 0xff, 0xff, 127, 0, 0, 1 };
    assert_memory_equal(out, want, 16);
    struct sock_addr back;
    assert_int_equal(sockarg_parse_in(out, 16, &back), 0);
    assert_int_equal(back.addr, a.addr);
    assert_int_equal(back.port, a.port);
}

static void test_type(void **state)
{
    (void)state;
    uint8_t k = 0;
    int fl = -1;
    assert_int_equal(sockarg_type(2, 1, 0, &k, &fl), 0);
    assert_int_equal(k, SECOS_NETSRV_STREAM);
    assert_int_equal(fl, 0);
    assert_int_equal(sockarg_type(2, 1 | SOCKARG_NONBLOCK | SOCKARG_CLOEXEC, 6, &k, &fl), 0);
    assert_int_equal(fl, SOCKARG_NONBLOCK | SOCKARG_CLOEXEC);
    assert_int_equal(sockarg_type(2, 2, 0, &k, &fl), 0);
    assert_int_equal(k, SECOS_NETSRV_DGRAM);
    assert_int_equal(sockarg_type(2, 2, 17, &k, &fl), 0);
    assert_int_equal(k, SECOS_NETSRV_DGRAM);
    assert_int_equal(sockarg_type(2, 2, 1, &k, &fl), 0);           /* ping socket */
    assert_int_equal(k, SECOS_NETSRV_ICMP);
    assert_int_equal(sockarg_type(2, 3, 1, &k, &fl), 0);           /* raw ICMP: a ping socket with IP headers */
    assert_int_equal(k, SECOS_NETSRV_ICMP_RAW);
    assert_int_equal(sockarg_type(2, 3, 0, &k, &fl), -EPERM);      /* any other raw socket */
    assert_int_equal(sockarg_type(2, 3, 6, &k, &fl), -EPERM);
    assert_int_equal(sockarg_type(2, 3, 255, &k, &fl), -EPERM);
    assert_int_equal(sockarg_type(2, 1, 17, &k, &fl), -EPROTONOSUPPORT);
    assert_int_equal(sockarg_type(2, 2, 6, &k, &fl), -EPROTONOSUPPORT);
    assert_int_equal(sockarg_type(2, 5, 0, &k, &fl), -EINVAL);     /* SOCK_SEQPACKET */
    assert_int_equal(sockarg_type(2, 1 | 0x100, 0, &k, &fl), -EINVAL);   /* unknown flag bit */
    assert_int_equal(sockarg_type(1, 1, 0, &k, &fl), -EAFNOSUPPORT);     /* AF_UNIX */
    assert_int_equal(sockarg_type(10, 1, 0, &k, &fl), -EAFNOSUPPORT);    /* AF_INET6 */
    assert_int_equal(sockarg_type(17, 3, 0, &k, &fl), -EAFNOSUPPORT);    /* AF_PACKET */
    assert_int_equal(sockarg_type(-1, 1, 0, &k, &fl), -EAFNOSUPPORT);
}

static void test_backlog_timeval(void **state)
{
    (void)state;
    assert_int_equal(sockarg_backlog(-5), 1);
    assert_int_equal(sockarg_backlog(0), 1);
    assert_int_equal(sockarg_backlog(10), 10);
    assert_int_equal(sockarg_backlog(4096), SECOS_NETSRV_BACKLOG_MAX);
    assert_int_equal(sockarg_timeval_ms(0, 0), 0);
    assert_int_equal(sockarg_timeval_ms(2, 500000), 2500);
    assert_int_equal(sockarg_timeval_ms(0, 1), 1);                /* under a millisecond is not "none" */
    assert_int_equal(sockarg_timeval_ms(0, 1000000), -EDOM);
    assert_int_equal(sockarg_timeval_ms(0, -1), -EDOM);
    assert_int_equal(sockarg_timeval_ms(-1, 0), -EDOM);
    assert_int_equal(sockarg_timeval_ms(INT64_MAX, 0), 0xffffffffll);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_in),
        cmocka_unit_test(test_fill_in),
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_backlog_timeval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

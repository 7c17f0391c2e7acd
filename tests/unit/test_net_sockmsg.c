/* lib/sockmsg.c: the header's bytes are the documented layout; a message
 * from the network server is taken only when every field is in range. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "lib/sockmsg.h"

static uint32_t make(uint8_t *buf, uint16_t op, uint32_t seq, int32_t status, uint32_t len)
{
    struct sockmsg m = { .op = op, .sock = 7, .seq = seq, .status = status, .len = len, .arg = { 1, 2, 3, 4 } };
    memset(buf, 0x5a, SECOS_NETSRV_MSG_MAX);
    return sockmsg_encode(buf, SECOS_NETSRV_MSG_MAX, &m);
}

static void test_layout(void **state)
{
    (void)state;
    uint8_t b[SECOS_NETSRV_MSG_MAX];
    assert_int_equal(make(b, SECOS_NETSRV_CONNECT, 0x01020304, -111, 0), SECOS_NETSRV_HDR_LEN);
    static const uint8_t want[SECOS_NETSRV_HDR_LEN] = {
        'N', 'R', 'S', 'V', 2, 0, SECOS_NETSRV_CONNECT, 0, 7, 0, 0, 0, 4, 3, 2, 1,
        0x91, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0,
    };
    assert_memory_equal(b, want, sizeof want);
    assert_int_equal(b[SECOS_NETSRV_HDR_LEN], 0x5a);       /* nothing past the header */
    assert_int_equal(sockmsg_encode(b, SECOS_NETSRV_HDR_LEN - 1, &(struct sockmsg){ 0 }), 0);
}

static void test_reply_round_trip(void **state)
{
    (void)state;
    uint8_t b[SECOS_NETSRV_MSG_MAX];
    struct sockmsg m;
    make(b, SECOS_NETSRV_ACCEPT | SECOS_NETSRV_REPLY, 9, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, SECOS_NETSRV_HDR_LEN, &m), 0);
    assert_int_equal(m.op, SECOS_NETSRV_ACCEPT | SECOS_NETSRV_REPLY);
    assert_int_equal(m.sock, 7);
    assert_int_equal(m.seq, 9);
    assert_int_equal(m.arg[0], 1);
    assert_int_equal(m.arg[3], 4);
    make(b, SECOS_NETSRV_CONNECT | SECOS_NETSRV_REPLY, 9, -4095, 0);
    assert_int_equal(sockmsg_decode_server(b, SECOS_NETSRV_HDR_LEN, &m), 0);
    assert_int_equal(m.status, -4095);
}

static void test_data_event(void **state)
{
    (void)state;
    uint8_t b[SECOS_NETSRV_MSG_MAX];
    struct sockmsg m;
    make(b, SECOS_NETSRV_EV_DATA, 0, 0, SECOS_NETSRV_DATA_MAX);
    assert_int_equal(sockmsg_decode_server(b, SECOS_NETSRV_MSG_MAX, &m), 0);
    assert_int_equal(m.len, SECOS_NETSRV_DATA_MAX);
    assert_int_equal(sockmsg_decode_server(b, SECOS_NETSRV_MSG_MAX - 1, &m), -1);     /* payload cut short */
    make(b, SECOS_NETSRV_EV_DATA, 0, 0, SECOS_NETSRV_DATA_MAX + 1);
    assert_int_equal(sockmsg_decode_server(b, SECOS_NETSRV_MSG_MAX + 0, &m), -1);     /* over the chunk */
    make(b, SECOS_NETSRV_EV_DATA, 0, 0, 0xffffffffu);
    assert_int_equal(sockmsg_decode_server(b, SECOS_NETSRV_MSG_MAX, &m), -1);
}

static void test_refused(void **state)
{
    (void)state;
    uint8_t b[SECOS_NETSRV_MSG_MAX];
    struct sockmsg m = { .sock = 99 };
    const uint32_t H = SECOS_NETSRV_HDR_LEN;
    make(b, SECOS_NETSRV_CONNECT | SECOS_NETSRV_REPLY, 1, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H - 1, &m), -1);                       /* short */
    b[0] ^= 1;
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* magic */
    make(b, SECOS_NETSRV_CONNECT | SECOS_NETSRV_REPLY, 1, 0, 0);
    b[4] = 1;
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* version */
    make(b, SECOS_NETSRV_CONNECT, 1, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* a request */
    make(b, 0 | SECOS_NETSRV_REPLY, 1, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* op 0 */
    make(b, (SECOS_NETSRV_OP_LAST + 1) | SECOS_NETSRV_REPLY, 1, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* unknown op */
    make(b, SECOS_NETSRV_EV_CREDIT | SECOS_NETSRV_REPLY, 1, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* event as reply */
    make(b, SECOS_NETSRV_CONNECT | SECOS_NETSRV_REPLY, 0, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* reply without seq */
    make(b, SECOS_NETSRV_EV_CREDIT, 5, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* event with seq */
    make(b, SECOS_NETSRV_CONNECT | SECOS_NETSRV_REPLY, 1, -4096, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* status range */
    make(b, SECOS_NETSRV_EV_CLOSED, 0, 1, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* closed with > 0 */
    make(b, SECOS_NETSRV_EV_CREDIT, 0, -1, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* credit with status */
    make(b, SECOS_NETSRV_GETNAME | SECOS_NETSRV_REPLY, 1, 0, 4);
    assert_int_equal(sockmsg_decode_server(b, H + 4, &m), -1);                       /* payload on no-data op */
    make(b, SECOS_NETSRV_CONNECT | SECOS_NETSRV_REPLY, 1, 0, 0);
    b[8] = 0;
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* socket 0 */
    assert_int_equal(m.sock, 99);                                                    /* *out untouched */
    make(b, SECOS_NETSRV_SEND | SECOS_NETSRV_REPLY, 1, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* reply to a notice */
    make(b, SECOS_NETSRV_CLOSE | SECOS_NETSRV_REPLY, 1, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);
    make(b, SECOS_NETSRV_EV_IFADDR, 0, 0, 0);
    assert_int_equal(sockmsg_decode_server(b, H, &m), -1);                           /* IFADDR names no socket */
    b[8] = 0;
    assert_int_equal(sockmsg_decode_server(b, H, &m), 0);
    assert_int_equal(m.sock, 0);
}

/* What the kernel writes, as netd checks it: requests carry a seq, notices
 * none, only SEND a payload; replies and events never come from the kernel. */
static void test_kernel_side(void **state)
{
    (void)state;
    uint8_t b[SECOS_NETSRV_MSG_MAX];
    struct sockmsg m;
    const uint32_t H = SECOS_NETSRV_HDR_LEN;
    make(b, SECOS_NETSRV_CONNECT, 3, 0, 0);
    assert_int_equal(sockmsg_decode_kernel(b, H, &m), 0);
    assert_int_equal(m.seq, 3);
    make(b, SECOS_NETSRV_SEND, 0, 0, 100);
    assert_int_equal(sockmsg_decode_kernel(b, H + 100, &m), 0);
    assert_int_equal(sockmsg_decode_kernel(b, H + 99, &m), -1);                      /* payload cut short */
    make(b, SECOS_NETSRV_CONNECT, 0, 0, 0);
    assert_int_equal(sockmsg_decode_kernel(b, H, &m), -1);                           /* request without seq */
    make(b, SECOS_NETSRV_CLOSE, 4, 0, 0);
    assert_int_equal(sockmsg_decode_kernel(b, H, &m), -1);                           /* notice with seq */
    make(b, SECOS_NETSRV_OPEN, 0, 0, 8);
    assert_int_equal(sockmsg_decode_kernel(b, H + 8, &m), -1);                       /* payload on OPEN */
    make(b, SECOS_NETSRV_EV_DATA, 0, 0, 0);
    assert_int_equal(sockmsg_decode_kernel(b, H, &m), -1);                           /* an event */
    make(b, SECOS_NETSRV_BIND | SECOS_NETSRV_REPLY, 1, 0, 0);
    assert_int_equal(sockmsg_decode_kernel(b, H, &m), -1);                           /* a reply */
    make(b, SECOS_NETSRV_RECVD, 0, -5, 0);
    assert_int_equal(sockmsg_decode_kernel(b, H, &m), -1);                           /* a status */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_reply_round_trip),
        cmocka_unit_test(test_data_event),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_kernel_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

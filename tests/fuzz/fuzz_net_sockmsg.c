/* Fuzzes the check of what the network server writes to the channel
 * (net/sockmsg.c). Invariants: an accepted message's payload lies inside
 * the input and within one chunk, only EV_DATA carries one, the status is
 * a count or an errno, and re-encoding its header gives the input's bytes. */
#include "tests/fuzz/fuzz.h"
#include "net/sockmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > SECOS_NETSRV_MSG_MAX + 64)
        return 0;
    struct sockmsg m;
    if (sockmsg_decode_server(data, (uint32_t)size, &m) != 0)
        return 0;
    CHECK(m.len <= SECOS_NETSRV_DATA_MAX && SECOS_NETSRV_HDR_LEN + (uint64_t)m.len <= size);
    fuzz_touch(data + SECOS_NETSRV_HDR_LEN, m.len);
    CHECK(m.len == 0 || m.op == SECOS_NETSRV_EV_DATA);
    CHECK(m.sock != 0 && m.status >= -4095);
    uint8_t hdr[SECOS_NETSRV_HDR_LEN];
    CHECK(sockmsg_encode(hdr, sizeof hdr, &m) == SECOS_NETSRV_HDR_LEN);
    CHECK(memcmp(hdr, data, sizeof hdr) == 0);
    return 0;
}

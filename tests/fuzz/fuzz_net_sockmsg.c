/* Fuzzes the checks of the channel's messages (lib/sockmsg.c): what the
 * network server writes (the kernel's side) and what the kernel writes
 * (netd's side). Invariants: an accepted message's payload lies inside the
 * input and within one chunk, only EV_DATA (server) or SEND (kernel)
 * carries one, the status is a count or an errno, only EV_IFADDR names
 * socket 0, and re-encoding its header gives the input's bytes. */
#include "tests/fuzz/fuzz.h"
#include "lib/sockmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > SECOS_NETSRV_MSG_MAX + 64)
        return 0;
    struct sockmsg m;
    uint8_t hdr[SECOS_NETSRV_HDR_LEN];
    if (sockmsg_decode_kernel(data, (uint32_t)size, &m) == 0) {
        CHECK(m.len <= SECOS_NETSRV_DATA_MAX && SECOS_NETSRV_HDR_LEN + (uint64_t)m.len <= size);
        fuzz_touch(data + SECOS_NETSRV_HDR_LEN, m.len);
        CHECK(m.len == 0 || m.op == SECOS_NETSRV_SEND);
        CHECK(m.sock != 0 && m.status == 0 && (m.seq != 0) == sockmsg_is_request(m.op));
        CHECK(sockmsg_encode(hdr, sizeof hdr, &m) == SECOS_NETSRV_HDR_LEN);
        CHECK(memcmp(hdr, data, sizeof hdr) == 0);
    }
    if (sockmsg_decode_server(data, (uint32_t)size, &m) != 0)
        return 0;
    CHECK(m.len <= SECOS_NETSRV_DATA_MAX && SECOS_NETSRV_HDR_LEN + (uint64_t)m.len <= size);
    fuzz_touch(data + SECOS_NETSRV_HDR_LEN, m.len);
    CHECK(m.len == 0 || m.op == SECOS_NETSRV_EV_DATA);
    CHECK((m.sock == 0) == (m.op == SECOS_NETSRV_EV_IFADDR) && m.status >= -4095);
    CHECK(sockmsg_encode(hdr, sizeof hdr, &m) == SECOS_NETSRV_HDR_LEN);
    CHECK(memcmp(hdr, data, sizeof hdr) == 0);
    return 0;
}

/* Fuzzes poll/select's argument conversions (fs/poll_abi.c). Input: a
 * timespec, a timeval, an nfds and a readiness/events pair as a program
 * could pass them. Invariants: an accepted timeout is valid by Linux's
 * rules, never above POLL_MAX_MS and never shorter than asked (rounded up);
 * a refused one left *ms alone; select's n never exceeds the table nor the
 * request, and its fd_set bytes cover n bits in whole words; revents hold
 * only asked-for bits plus ERR and HUP. */
#include "tests/fuzz/fuzz.h"
#include "fs/poll_abi.h"
#include "fs/file.h"

struct input { struct poll_timespec ts; struct poll_timeval tv; int64_t nfds; uint32_t table; int32_t ready; int16_t events; };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in;
    memset(&in, 0, sizeof in);
    memcpy(&in, data, size < sizeof in ? size : sizeof in);

    uint64_t ms = 12345;
    if (poll_timespec_ms(&in.ts, &ms) == 0) {
        CHECK(in.ts.tv_sec >= 0 && in.ts.tv_nsec >= 0 && in.ts.tv_nsec < 1000000000);
        CHECK(ms <= POLL_MAX_MS);
        if ((uint64_t)in.ts.tv_sec < POLL_MAX_MS / 1000)
            CHECK(ms * 1000000 >= (uint64_t)in.ts.tv_sec * 1000000000 + (uint64_t)in.ts.tv_nsec);
    } else {
        CHECK(ms == 12345);
    }
    ms = 12345;
    if (poll_timeval_ms(&in.tv, &ms) == 0) {
        CHECK(in.tv.tv_sec >= 0 && in.tv.tv_usec >= 0 && ms <= POLL_MAX_MS);
        if ((uint64_t)in.tv.tv_sec < POLL_MAX_MS / 1000 && (uint64_t)in.tv.tv_usec < POLL_MAX_MS)
            CHECK(ms == POLL_MAX_MS || ms * 1000 >= (uint64_t)in.tv.tv_sec * 1000000 + (uint64_t)in.tv.tv_usec);
    } else {
        CHECK(ms == 12345);
    }
    uint32_t n = 777;
    if (poll_select_nfds(in.nfds, in.table, &n) == 0) {
        CHECK(in.nfds >= 0 && in.nfds <= POLL_FD_SETSIZE && n <= in.table && n <= in.nfds);
        CHECK(poll_fdset_bytes(n) * 8 >= n && poll_fdset_bytes(n) % 8 == 0 && poll_fdset_bytes(n) <= 128);
    } else {
        CHECK(n == 777 && (in.nfds < 0 || in.nfds > POLL_FD_SETSIZE));
    }
    int16_t r = poll_revents(in.ready, in.events);
    CHECK(((uint16_t)r & ~((uint16_t)in.events | LINUX_POLLERR | LINUX_POLLHUP)) == 0);
    CHECK(((uint16_t)r & ~(LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT | LINUX_POLLWRNORM | LINUX_POLLERR |
                          LINUX_POLLHUP)) == 0);
    return 0;
}

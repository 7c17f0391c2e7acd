/* Pure conversions for poll and select; see poll_abi.h. */
#include "fs/poll_abi.h"
#include "fs/file.h"
#include "secos/errno.h"

int poll_linux_mask(int ready) {
    int m = 0;
    if (ready & FILE_POLLIN) m |= LINUX_POLLIN | LINUX_POLLRDNORM;
    if (ready & FILE_POLLOUT) m |= LINUX_POLLOUT | LINUX_POLLWRNORM;
    if (ready & FILE_POLLERR) m |= LINUX_POLLERR;
    if (ready & FILE_POLLHUP) m |= LINUX_POLLHUP;
    return m;
}

int16_t poll_revents(int ready, int16_t events) {
    return (int16_t)(poll_linux_mask(ready) & ((uint16_t)events | LINUX_POLLERR | LINUX_POLLHUP));
}

static uint64_t clamp_ms(int64_t sec, uint64_t sub_ms) {
    if ((uint64_t)sec >= POLL_MAX_MS / 1000) return POLL_MAX_MS;
    return (uint64_t)sec * 1000 + sub_ms;
}

int poll_timespec_ms(const struct poll_timespec *ts, uint64_t *ms) {
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000) return -EINVAL;
    *ms = clamp_ms(ts->tv_sec, ((uint64_t)ts->tv_nsec + 999999) / 1000000);
    return 0;
}

int poll_timeval_ms(const struct poll_timeval *tv, uint64_t *ms) {
    if (tv->tv_sec < 0 || tv->tv_usec < 0) return -EINVAL;
    int64_t sec = tv->tv_usec / 1000000;
    sec = tv->tv_sec > INT64_MAX - sec ? INT64_MAX : tv->tv_sec + sec;
    *ms = clamp_ms(sec, ((uint64_t)(tv->tv_usec % 1000000) + 999) / 1000);
    return 0;
}

void poll_ms_timespec(uint64_t ms, struct poll_timespec *ts) {
    ts->tv_sec = (int64_t)(ms / 1000);
    ts->tv_nsec = (int64_t)(ms % 1000) * 1000000;
}

void poll_ms_timeval(uint64_t ms, struct poll_timeval *tv) {
    tv->tv_sec = (int64_t)(ms / 1000);
    tv->tv_usec = (int64_t)(ms % 1000) * 1000;
}

int poll_select_nfds(int64_t nfds, uint32_t table, uint32_t *n) {
    if (nfds < 0 || nfds > POLL_FD_SETSIZE) return -EINVAL;
    *n = (uint64_t)nfds < table ? (uint32_t)nfds : table;
    return 0;
}

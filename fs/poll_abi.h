/* The Linux x86-64 layouts and rules of poll, ppoll, select and pselect6:
 * struct pollfd, the event bits, timeouts as timeval / timespec / ms and
 * what select's nfds may be. Pure (no kernel state), so the conversions are
 * checked on the host (tests/unit/test_poll_abi.c) and fuzzed
 * (tests/fuzz/fuzz_poll_abi.c); fs/poll.c does the waiting. */
#ifndef FS_POLL_ABI_H
#define FS_POLL_ABI_H
#include <stdint.h>

struct linux_pollfd { int32_t fd; int16_t events, revents; };
struct poll_timespec { int64_t tv_sec, tv_nsec; };
struct poll_timeval { int64_t tv_sec, tv_usec; };
_Static_assert(sizeof(struct linux_pollfd) == 8, "struct pollfd is 8 bytes");

#define LINUX_POLLIN     0x001
#define LINUX_POLLPRI    0x002
#define LINUX_POLLOUT    0x004
#define LINUX_POLLERR    0x008
#define LINUX_POLLHUP    0x010
#define LINUX_POLLNVAL   0x020
#define LINUX_POLLRDNORM 0x040
#define LINUX_POLLWRNORM 0x100

/* select's fd_set is FD_SETSIZE bits; a larger nfds is refused. */
#define POLL_FD_SETSIZE 1024
/* Longer timeouts are clamped to a year (nothing waits that long anyway). */
#define POLL_MAX_MS (1000ULL * 3600 * 24 * 365)

/* Linux's mask for a file ready as FILE_POLL* says (fs/file.h: IN, OUT,
 * ERR, HUP): IN with RDNORM, OUT with WRNORM. */
int poll_linux_mask(int ready);
/* poll's revents: the ready bits asked for in events, and ERR and HUP
 * always. */
int16_t poll_revents(int ready, int16_t events);

/* A relative timespec as milliseconds, rounded up: 0, or -EINVAL when
 * tv_sec < 0 or tv_nsec is outside [0, 1e9). */
int poll_timespec_ms(const struct poll_timespec *ts, uint64_t *ms);
/* select's timeval, normalised as Linux does (tv_usec of a million or more
 * carries into seconds): 0, or -EINVAL when negative. */
int poll_timeval_ms(const struct poll_timeval *tv, uint64_t *ms);
void poll_ms_timespec(uint64_t ms, struct poll_timespec *ts);
void poll_ms_timeval(uint64_t ms, struct poll_timeval *tv);

/* select's nfds: -EINVAL if negative or above POLL_FD_SETSIZE, else the
 * descriptors to look at (at most table, the descriptor table's size) in *n. */
int poll_select_nfds(int64_t nfds, uint32_t table, uint32_t *n);
/* Bytes of an fd_set select copies for n descriptors: whole 64-bit words. */
static inline uint32_t poll_fdset_bytes(uint32_t n) { return (n + 63) / 64 * 8; }

#endif

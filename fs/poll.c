/* poll (7), ppoll (271), select (23), pselect6 (270) over open-file
 * descriptions (fs/file.h). Each call copies its arguments in, then, with
 * interrupts off between the readiness scan and the sleep (so a change
 * cannot slip in between, one CPU), scans every descriptor once per wakeup
 * and sleeps on file_poll_chan() until file_poll_notify(), the deadline or
 * a signal. The work per scan is bounded by the descriptor table
 * (SECOS_FD_MAX): poll refuses a longer array, select clamps nfds to it.
 * Timeouts: 0 is a scan without waiting, none (a NULL pointer, poll's
 * negative ms) waits forever; select, pselect6 and ppoll write the time left
 * back, as Linux does, so a restarted call (kernel/signal.c) waits only for
 * the rest. ppoll and pselect6 swap the signal mask in for the wait, as
 * rt_sigsuspend does: kept for the handler on -EINTR (its frame carries the
 * old one), restored at once otherwise. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "kernel/signal.h"
#include "arch/x86_64/cpu.h"
#include "fs/file.h"
#include "fs/fd.h"
#include "fs/poll_abi.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"

#define NO_TIMEOUT UINT64_MAX
#define SIGSET_SIZE 8
#define UNBLOCKABLE ((1ULL << (9 - 1)) | (1ULL << (19 - 1))) /* SIGKILL, SIGSTOP */

/* The deadline tick for ms from now (0: wait forever). */
static uint64_t deadline_for(uint64_t ms) {
    return ms == NO_TIMEOUT ? 0 : timer_ticks() + (ms * TIMER_HZ + 999) / 1000;
}

/* Interrupts off, after a scan found nothing: 1 to scan again, 0 when the
 * time is up, -EINTR for a signal (looked at only after a scan, as Linux,
 * so what became ready together with the signal is reported). */
static int wait_more(uint64_t ms, uint64_t deadline) {
    if (ms == 0 || (deadline && timer_ticks() >= deadline)) return 0;
    if (proc_signal_pending(current)) return signal_syscall_interrupted();
    file_poll_wait(deadline);
    return 1;
}

static long poll_scan(struct linux_pollfd *fds, uint32_t n) {
    long ready = 0;
    for (uint32_t i = 0; i < n; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0) continue; /* ignored, as POSIX says */
        struct file *f = fd_get((uint64_t)fds[i].fd);
        fds[i].revents = f ? poll_revents(file_poll(f), fds[i].events) : LINUX_POLLNVAL;
        ready += fds[i].revents != 0;
    }
    return ready;
}

static long do_poll(uint64_t ufds, uint64_t nfds, uint64_t ms) {
    if (nfds > SECOS_FD_MAX) return -EINVAL;
    struct linux_pollfd fds[SECOS_FD_MAX];
    uint32_t n = (uint32_t)nfds;
    if (n && copy_from_user(fds, ufds, n * sizeof fds[0])) return -EFAULT;
    uint64_t f = irq_save();
    uint64_t deadline = deadline_for(ms);
    long r;
    int more;
    do {
        r = poll_scan(fds, n);
        more = r ? 0 : wait_more(ms, deadline);
    } while (more > 0);
    irq_restore(f);
    if (more < 0) return more;
    if (n && copy_to_user(ufds, fds, n * sizeof fds[0])) return -EFAULT;
    return r;
}

struct fdsets { uint64_t in[SECOS_FD_MAX / 64], out[SECOS_FD_MAX / 64], ex[SECOS_FD_MAX / 64]; };

static int bit(const uint64_t *set, uint32_t fd) { return (set[fd / 64] >> (fd % 64)) & 1; }

/* The ready descriptors of want into got: how many bits, or -EBADF. */
static long select_scan(const struct fdsets *want, struct fdsets *got, uint32_t n) {
    memset(got, 0, sizeof *got);
    long ready = 0;
    for (uint32_t fd = 0; fd < n; fd++) {
        int r = bit(want->in, fd), w = bit(want->out, fd), x = bit(want->ex, fd);
        if (!(r | w | x)) continue;
        struct file *f = fd_get(fd);
        if (!f) return -EBADF;
        int m = poll_linux_mask(file_poll(f));
        uint64_t b = 1ULL << (fd % 64);
        /* Linux's sets: readable includes HUP and ERR, writable ERR. */
        if (r && (m & (LINUX_POLLIN | LINUX_POLLHUP | LINUX_POLLERR))) { got->in[fd / 64] |= b; ready++; }
        if (w && (m & (LINUX_POLLOUT | LINUX_POLLERR))) { got->out[fd / 64] |= b; ready++; }
        if (x && (m & LINUX_POLLPRI)) { got->ex[fd / 64] |= b; ready++; }
    }
    return ready;
}

static long do_select(int64_t nfds, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t ms) {
    uint32_t n;
    if (poll_select_nfds(nfds, SECOS_FD_MAX, &n)) return -EINVAL;
    uint32_t bytes = poll_fdset_bytes(n);
    struct fdsets want, got;
    memset(&want, 0, sizeof want);
    if ((uin && copy_from_user(want.in, uin, bytes)) || (uout && copy_from_user(want.out, uout, bytes)) ||
        (uex && copy_from_user(want.ex, uex, bytes)))
        return -EFAULT;
    uint64_t f = irq_save();
    uint64_t deadline = deadline_for(ms);
    long r;
    int more;
    do {
        r = select_scan(&want, &got, n);
        more = r ? 0 : wait_more(ms, deadline);
    } while (more > 0);
    irq_restore(f);
    if (more < 0) return more;
    if (r < 0) return r;
    if ((uin && copy_to_user(uin, got.in, bytes)) || (uout && copy_to_user(uout, got.out, bytes)) ||
        (uex && copy_to_user(uex, got.ex, bytes)))
        return -EFAULT;
    return r;
}

/* The signal mask for the wait (ppoll, pselect6): umask 0 keeps the mask. */
static int mask_swap(uint64_t umask) {
    uint64_t mask;
    if (!umask) return 0;
    if (copy_from_user(&mask, umask, sizeof mask)) return -EFAULT;
    struct proc *p = current;
    uint64_t f = irq_save();
    p->sig.saved_mask = p->sig.blocked;
    p->sig.restore_mask = 1;
    p->sig.blocked = mask & ~UNBLOCKABLE;
    proc_update_user_work(p);
    irq_restore(f);
    return 0;
}

/* On -EINTR the user-return hook restores it (after the handler's frame took the old one). */
static void mask_restore(uint64_t umask, long r) {
    struct proc *p = current;
    if (!umask || r == -EINTR) return;
    uint64_t f = irq_save();
    if (p->sig.restore_mask) {
        p->sig.blocked = p->sig.saved_mask;
        p->sig.restore_mask = 0;
        proc_update_user_work(p);
    }
    irq_restore(f);
}

/* The time left written back; a fault there is ignored, as Linux does. */
static void timespec_left(uint64_t uts, uint64_t ms, uint64_t start) {
    if (!uts || ms == 0 || ms == NO_TIMEOUT) return;
    struct poll_timespec ts;
    uint64_t spent = (timer_ticks() - start) * 1000 / TIMER_HZ;
    poll_ms_timespec(spent < ms ? ms - spent : 0, &ts);
    (void)copy_to_user(uts, &ts, sizeof ts);
}

static long read_timespec(uint64_t uts, uint64_t *ms) {
    struct poll_timespec ts;
    *ms = NO_TIMEOUT;
    if (!uts) return 0;
    if (copy_from_user(&ts, uts, sizeof ts)) return -EFAULT;
    return poll_timespec_ms(&ts, ms);
}

long linux_poll(SYSARGS) {
    UNUSED_ARGS();
    int timeout = (int)a2;
    return do_poll(a0, (uint32_t)a1, timeout < 0 ? NO_TIMEOUT : (uint64_t)timeout); /* nfds is an unsigned int */
}

/* ppoll(fds, nfds, tsp, sigmask, sigsetsize) */
long linux_ppoll(SYSARGS) {
    UNUSED_ARGS();
    uint64_t ms;
    if (a3 && a4 != SIGSET_SIZE) return -EINVAL;
    long r = read_timespec(a2, &ms);
    if (r || (r = mask_swap(a3))) return r;
    uint64_t start = timer_ticks();
    r = do_poll(a0, (uint32_t)a1, ms);
    mask_restore(a3, r);
    timespec_left(a2, ms, start);
    return r;
}

/* select(nfds, readfds, writefds, exceptfds, timeval) */
long linux_select(SYSARGS) {
    UNUSED_ARGS();
    uint64_t ms = NO_TIMEOUT;
    struct poll_timeval tv;
    if (a4) {
        if (copy_from_user(&tv, a4, sizeof tv)) return -EFAULT;
        if (poll_timeval_ms(&tv, &ms)) return -EINVAL;
    }
    uint64_t start = timer_ticks();
    long r = do_select((int64_t)(int32_t)a0, a1, a2, a3, ms);
    if (a4 && ms) {
        uint64_t spent = (timer_ticks() - start) * 1000 / TIMER_HZ;
        poll_ms_timeval(spent < ms ? ms - spent : 0, &tv);
        (void)copy_to_user(a4, &tv, sizeof tv);
    }
    return r;
}

/* pselect6(nfds, readfds, writefds, exceptfds, timespec, {sigset *, size}) */
long linux_pselect6(SYSARGS) {
    UNUSED_ARGS();
    uint64_t ms, sig[2] = { 0, 0 };
    long r = read_timespec(a4, &ms);
    if (r) return r;
    if (a5 && copy_from_user(sig, a5, sizeof sig)) return -EFAULT;
    if (sig[0] && sig[1] != SIGSET_SIZE) return -EINVAL;
    if ((r = mask_swap(sig[0]))) return r;
    uint64_t start = timer_ticks();
    r = do_select((int64_t)(int32_t)a0, a1, a2, a3, ms);
    mask_restore(sig[0], r);
    timespec_left(a4, ms, start);
    return r;
}

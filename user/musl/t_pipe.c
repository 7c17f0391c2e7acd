/* t_pipe: pipes from a musl program, in one process (no fork yet). Prints
 * "ok <what>" or "FAIL <what>: ..." per check and then "t_pipe: N failed";
 * the exit status is the number of failures.
 *
 *   t_pipe            every check below
 *   t_pipe sigpipe    writes to a pipe with no reader, SIGPIPE at its default: killed
 *   t_pipe block      blocks in read() on an empty pipe until killed from outside */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static int failures;

#define CHECK(what, cond, ...) do {                                   \
    if (cond) printf("ok %s\n", what);                                \
    else { failures++; printf("FAIL %s: ", what); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

#define RING 65536
static unsigned char out[3 * RING], in[3 * RING];
static volatile int sigpipes;
static void on_pipe(int sig) { (void)sig; sigpipes++; }

static void fill(unsigned char *b, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(seed + i * 7 + (i >> 8));
}

static void check_basic(void) {
    int fd[2];
    CHECK("pipe", pipe(fd) == 0 && fd[0] >= 3 && fd[1] == fd[0] + 1, "errno %d", errno);
    CHECK("write", write(fd[1], "hello", 5) == 5, "errno %d", errno);
    char b[16] = { 0 };
    CHECK("read", read(fd[0], b, sizeof b) == 5 && !memcmp(b, "hello", 5), "got %s", b);
    CHECK("read-end-not-writable", write(fd[0], "x", 1) == -1 && errno == EBADF, "errno %d", errno);
    CHECK("write-end-not-readable", read(fd[1], b, 1) == -1 && errno == EBADF, "errno %d", errno);
    CHECK("no-seek", lseek(fd[0], 0, SEEK_SET) == -1 && errno == ESPIPE, "errno %d", errno);
    /* A dup keeps the writer alive: EOF only after the last one goes. */
    int w2 = dup(fd[1]);
    close(fd[1]);
    write(w2, "ab", 2);
    close(w2);
    CHECK("read-before-eof", read(fd[0], b, sizeof b) == 2, "short");
    CHECK("eof", read(fd[0], b, sizeof b) == 0, "errno %d", errno);
    close(fd[0]);
}

static void check_epipe(void) {
    int fd[2];
    pipe(fd);
    close(fd[0]);
    signal(SIGPIPE, SIG_IGN);
    CHECK("epipe-ignored", write(fd[1], "x", 1) == -1 && errno == EPIPE, "errno %d", errno);
    signal(SIGPIPE, on_pipe);
    sigpipes = 0;
    CHECK("epipe-handler", write(fd[1], "x", 1) == -1 && errno == EPIPE && sigpipes == 1, "errno %d sigpipes %d",
          errno, sigpipes);
    signal(SIGPIPE, SIG_DFL);
    close(fd[1]);
}

static void check_nonblock(void) {
    int fd[2];
    CHECK("pipe2-nonblock", pipe2(fd, O_NONBLOCK | O_CLOEXEC) == 0, "errno %d", errno);
    char b[8];
    CHECK("eagain-read", read(fd[0], b, sizeof b) == -1 && errno == EAGAIN, "errno %d", errno);
    size_t total = 0;
    fill(out, sizeof out, 1);
    for (;;) {
        ssize_t n = write(fd[1], out + total, 4096);
        if (n < 0) break;
        total += (size_t)n;
    }
    CHECK("fills-to-capacity", errno == EAGAIN && total == RING, "total %zu errno %d", total, errno);
    CHECK("read-some", read(fd[0], in, 100) == 100, "short");
    CHECK("atomic-small-write", write(fd[1], out, 4096) == -1 && errno == EAGAIN, "errno %d", errno);
    CHECK("fits-write", write(fd[1], out, 100) == 100, "errno %d", errno);
    CHECK("pipe2-cloexec", (fcntl(fd[0], F_GETFD) & FD_CLOEXEC) && (fcntl(fd[1], F_GETFD) & FD_CLOEXEC), "no FD_CLOEXEC");
    close(fd[0]);
    close(fd[1]);
    /* O_NONBLOCK set later through fcntl. */
    pipe(fd);
    CHECK("pipe-no-cloexec", fcntl(fd[0], F_GETFD) == 0, "flags %d", fcntl(fd[0], F_GETFD));
    CHECK("fcntl-nonblock", fcntl(fd[0], F_SETFL, O_NONBLOCK) == 0 && read(fd[0], b, 1) == -1 && errno == EAGAIN,
          "errno %d", errno);
    close(fd[0]);
    close(fd[1]);
    CHECK("pipe2-bad-flags", pipe2(fd, 0x1) == -1 && errno == EINVAL, "errno %d", errno);
    int next = dup(0);
    close(next);
    CHECK("pipe-efault", syscall(SYS_pipe, (void *)0x10) == -1 && errno == EFAULT, "errno %d", errno);
    int again = dup(0);
    close(again);
    CHECK("efault-leaks-no-fd", again == next, "%d != %d", again, next);
}

/* Data through the ring in odd sizes, wrapping many times, both partial and
 * whole-ring chunks; a write larger than the ring that cannot complete in
 * one process is not tried. */
static void check_transfer(void) {
    int fd[2];
    pipe(fd);
    fill(out, sizeof out, 3);
    size_t sent = 0, got = 0, steps[] = { 1, 4095, 4096, 4097, 65536, 1000, 30000, 7, 65535 };
    int ok = 1;
    for (int round = 0; round < 40 && ok; round++) {
        size_t n = steps[round % 9];
        if (n > RING) n = RING;
        ssize_t w = write(fd[1], out + (sent % RING), n);
        if (w != (ssize_t)n) { ok = 0; break; }
        sent += n;
        size_t left = n;
        while (left) {
            ssize_t r = read(fd[0], in, left);
            if (r <= 0) { ok = 0; break; }
            if (memcmp(in, out + (got % RING), (size_t)r)) { ok = 0; break; }
            got += (size_t)r;
            left -= (size_t)r;
        }
    }
    CHECK("transfer", ok && sent == got && sent > 8 * RING, "sent %zu got %zu", sent, got);
    close(fd[0]);
    close(fd[1]);
}

static void check_many(void) {
    int fds[300], n = 0;
    while (n + 2 <= 300 && pipe(fds + n) == 0) n += 2;
    CHECK("emfile", n > 0 && errno == EMFILE, "n %d errno %d", n, errno);
    for (int i = 0; i < n; i++) close(fds[i]);
    int fd[2];
    CHECK("pipe-after-emfile", pipe(fd) == 0, "errno %d", errno);
    close(fd[0]);
    close(fd[1]);
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "all";
    if (!strcmp(mode, "sigpipe")) {
        int fd[2];
        pipe(fd);
        close(fd[0]);
        write(fd[1], "x", 1);
        printf("FAIL sigpipe: still alive\n");
        return 1;
    }
    if (!strcmp(mode, "block")) {
        int fd[2];
        pipe(fd);
        printf("blocking\n");
        char b;
        read(fd[0], &b, 1);
        printf("FAIL block: returned\n");
        return 1;
    }
    check_basic();
    check_epipe();
    check_nonblock();
    check_transfer();
    check_many();
    printf("t_pipe: %d failed\n", failures);
    return failures;
}

/* The console terminal from a Linux program (tests/qemu/test_tty.py).
 *
 *   t_tty termios      TCGETS defaults, TCSETS round trip, nonsense values
 *   t_tty lines N      reads N (<= 16) canonical lines, then prints each as <hex> ("eof" for EOF)
 *   t_tty raw N        raw mode, reads exactly N bytes, prints their hex
 *   t_tty noecho       ECHO off, reads one line
 *   t_tty output       ONLCR on, then off, then OCRNL: "a\nb\n", "c\nd\n", "e\rf\n"
 *   t_tty winsz        TIOCGWINSZ, TIOCSWINSZ round trip
 *   t_tty pgrp         TIOCGPGRP/TIOCSPGRP/TIOCGSID rules, another session's attempts
 *   t_tty jobs         a background reader gets SIGTTIN, a TOSTOP writer SIGTTOU
 *   t_tty devtty       /dev/tty and /dev/console: open, stat, write; none after setsid
 *   t_tty nonblock     O_NONBLOCK read: EAGAIN
 *   t_tty poll         poll(2): POLLOUT, then POLLIN for a typed line ("poll: ENOSYS" without poll)
 *   t_tty isig         SIGINT/SIGQUIT from the keyboard reach the whole foreground group
 *   t_tty sleepread MS N   echo off, sleeps MS ms (input piles up), then reads N lines (lengths, checksum)
 *
 * "ready" lines tell the test when to type. The termios are restored before exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "t_check.h"

/* The kernel's struct termios (36 bytes): musl's has speed fields after it. */
struct ktermios {
    unsigned c_iflag, c_oflag, c_cflag, c_lflag;
    unsigned char c_line, c_cc[19];
};

static struct ktermios saved;

static int kget(struct ktermios *t) { return ioctl(0, TCGETS, t); }
static int kset(const struct ktermios *t) { return ioctl(0, TCSETS, t); }
static void restore(void) { kset(&saved); }

static void usage(void) {
    fprintf(stderr, "usage: t_tty termios|lines N|raw N|noecho|output|winsz|pgrp|jobs|devtty|nonblock|isig|poll|"
                    "sleepread MS N\n");
    exit(2);
}

static void hexline(const char *what, const unsigned char *b, long n) {
    printf("%s %ld <", what, n);
    for (long i = 0; i < n; i++) printf("%02x", b[i]);
    printf(">\n");
}

static void t_termios(void) {
    struct ktermios t;
    CHECK("TCGETS", kget(&t) == 0, "errno %d", errno);
    CHECK("defaults", t.c_iflag == 0x500 && t.c_oflag == 5 && t.c_lflag == 0x8a3b && t.c_cc[VINTR] == 3 &&
          t.c_cc[VERASE] == 0x7f && t.c_cc[VMIN] == 1, "i %x o %x l %x", t.c_iflag, t.c_oflag, t.c_lflag);
    struct ktermios m = t, back;
    m.c_lflag &= ~(ECHO | ICANON);
    m.c_cc[VMIN] = 7;
    m.c_cc[VTIME] = 3;
    m.c_cc[VERASE] = 8;
    CHECK("TCSETS", kset(&m) == 0, "errno %d", errno);
    CHECK("round trip", kget(&back) == 0 && memcmp(&m, &back, sizeof m) == 0, "i %x/%x o %x/%x c %x/%x l %x/%x",
          m.c_iflag, back.c_iflag, m.c_oflag, back.c_oflag, m.c_cflag, back.c_cflag, m.c_lflag, back.c_lflag);
    CHECK("TCSETSW", ioctl(0, TCSETSW, &t) == 0 && kget(&back) == 0 && memcmp(&t, &back, sizeof t) == 0, "%s", "no");
    struct termios lt; /* musl's: tcgetattr/tcsetattr map onto the same calls */
    CHECK("tcgetattr", tcgetattr(0, &lt) == 0 && (lt.c_lflag & ICANON), "errno %d", errno);
    /* Nonsense: every flag bit, a line discipline, c_cc at the extremes. */
    m = t;
    m.c_iflag = m.c_oflag = m.c_lflag = 0xffffffffu;
    m.c_cflag = 0xffffffffu & ~CBAUD;
    m.c_line = 0xee;
    memset(m.c_cc, 0xff, sizeof m.c_cc);
    CHECK("every bit set is taken (clamped)", kset(&m) == 0, "errno %d", errno);
    CHECK("clamped", kget(&back) == 0 && back.c_line == 0 && back.c_iflag == 077777 && back.c_lflag == 0377777,
          "i %o l %o line %d", back.c_iflag, back.c_lflag, back.c_line);
    m = t;
    m.c_cflag = (m.c_cflag & ~CBAUD) | 010000 /* BOTHER */;
    errno = 0;
    CHECK("custom speed refused", kset(&m) == -1 && errno == EINVAL, "errno %d", errno);
    CHECK("refused leaves it", kget(&back) == 0 && back.c_line == 0 && back.c_iflag == 077777, "%s", "no");
    errno = 0;
    CHECK("bad pointer", ioctl(0, TCSETS, (void *)16) == -1 && errno == EFAULT, "errno %d", errno);
    CHECK("bad request", ioctl(0, 0x54ff, &m) == -1 && errno == ENOTTY, "errno %d", errno);
    restore();
}

/* The report comes after the last read, so that the echo of what is typed
 * meanwhile never splits one of its lines. */
static void t_lines(int n) {
    static unsigned char buf[16][512];
    static long len[16];
    if (n > 16) n = 16;
    printf("ready\n");
    for (int i = 0; i < n; i++) {
        len[i] = read(0, buf[i], sizeof buf[i]);
        if (len[i] < 0) {
            printf("read error %d\n", errno);
            n = i;
        }
    }
    printf("\n");
    for (int i = 0; i < n; i++) {
        if (len[i] == 0) printf("eof\n");
        else hexline("line", buf[i], len[i]);
    }
}

static void t_raw(int n) {
    struct ktermios r = saved;
    r.c_iflag = 0;
    r.c_oflag &= ~OPOST;
    r.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
    r.c_cc[VMIN] = 1;
    r.c_cc[VTIME] = 0;
    CHECK("raw", kset(&r) == 0, "errno %d", errno);
    printf("ready\r\n");
    static unsigned char buf[70000];
    long got = 0;
    while (got < n) {
        long k = read(0, buf + got, (size_t)(n - got));
        if (k <= 0) break;
        got += k;
    }
    restore();
    hexline("raw", buf, got);
}

static void t_noecho(void) {
    struct ktermios r = saved;
    r.c_lflag &= ~ECHO;
    kset(&r);
    printf("ready\n");
    unsigned char buf[256];
    long k = read(0, buf, sizeof buf);
    restore();
    hexline("line", buf, k);
}

static void t_output(void) {
    struct ktermios r = saved;
    write(1, "<a\nb\n>", 6);
    r.c_oflag &= ~ONLCR;
    kset(&r);
    write(1, "<c\nd\n>", 6);
    r.c_oflag |= OCRNL;
    kset(&r);
    write(1, "<e\rf\n>", 6);
    r.c_oflag &= ~OPOST;
    kset(&r);
    write(1, "<g\rh\n>", 6);
    restore();
    write(1, "\n", 1);
}

static void t_winsz(void) {
    struct winsize w, s = { .ws_row = 40, .ws_col = 100 }, back;
    CHECK("TIOCGWINSZ", ioctl(1, TIOCGWINSZ, &w) == 0, "errno %d", errno);
    printf("size %dx%d\n", w.ws_col, w.ws_row);
    CHECK("TIOCSWINSZ", ioctl(1, TIOCSWINSZ, &s) == 0 && ioctl(1, TIOCGWINSZ, &back) == 0 &&
          back.ws_col == 100 && back.ws_row == 40, "errno %d", errno);
    ioctl(1, TIOCSWINSZ, &w);
}

static int wait_child(pid_t pid) {
    int st;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void t_pgrp(void) {
    pid_t me = getpid(), fg;
    CHECK("TIOCGPGRP is my group", ioctl(0, TIOCGPGRP, &fg) == 0 && fg == getpgrp(), "fg %d errno %d", fg, errno);
    pid_t sid = -1;
    CHECK("TIOCGSID is my session", ioctl(0, TIOCGSID, &sid) == 0 && sid == getsid(0) && sid == me, "sid %d", sid);
    errno = 0;
    pid_t none = 99999;
    CHECK("TIOCSPGRP to no group: ESRCH", ioctl(0, TIOCSPGRP, &none) == -1 && errno == ESRCH, "errno %d", errno);
    pid_t neg = -5;
    errno = 0;
    CHECK("TIOCSPGRP negative: EINVAL", ioctl(0, TIOCSPGRP, &neg) == -1 && errno == EINVAL, "errno %d", errno);
    int p[2];
    pipe(p);
    /* A child in a group of its own, same session: may become the foreground. */
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        char x;
        read(p[0], &x, 1);
        _exit(0);
    }
    setpgid(c, c);
    CHECK("TIOCSPGRP to a group of my session", ioctl(0, TIOCSPGRP, &c) == 0 && ioctl(0, TIOCGPGRP, &fg) == 0 &&
          fg == c, "errno %d fg %d", errno, fg);
    /* Now I am in the background: TIOCSPGRP needs SIGTTOU ignored (as ash does). */
    signal(SIGTTOU, SIG_IGN);
    CHECK("back to me", ioctl(0, TIOCSPGRP, &me) == 0 && ioctl(0, TIOCGPGRP, &fg) == 0 && fg == me, "errno %d", errno);
    signal(SIGTTOU, SIG_DFL);
    write(p[1], "x", 1);
    wait_child(c);
    /* A child that starts a session of its own: no terminal, and it cannot take or steer mine. */
    int q[2];
    pipe(q);
    c = fork();
    if (c == 0) {
        int bad = 0;
        if (setsid() < 0) bad |= 1;
        pid_t g;
        if (!(ioctl(0, TIOCGPGRP, &g) == -1 && errno == ENOTTY)) bad |= 2;
        pid_t parent_group = getppid();
        if (!(ioctl(0, TIOCSPGRP, &parent_group) == -1 && errno == ENOTTY)) bad |= 4;
        if (!(ioctl(0, TIOCSCTTY, 0) == -1 && errno == EPERM)) bad |= 8;    /* stealing */
        if (!(ioctl(0, TIOCSCTTY, 1) == -1 && errno == EPERM)) bad |= 16;   /* even with force */
        if (!(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO)) bad |= 32;
        if (!(ioctl(0, TIOCNOTTY) == -1 && errno == ENOTTY)) bad |= 64;
        char x = (char)bad;
        write(q[1], &x, 1);
        sleep(1);   /* stays alive: its group exists in another session */
        _exit(0);
    }
    char res = 127;
    read(q[0], &res, 1);
    CHECK("another session: ENOTTY, EPERM, ENXIO", res == 0, "mask %d", res);
    errno = 0;
    CHECK("TIOCSPGRP to another session's group: EPERM", ioctl(0, TIOCSPGRP, &c) == -1 && errno == EPERM,
          "errno %d", errno);
    CHECK("still mine", ioctl(0, TIOCGPGRP, &fg) == 0 && fg == me, "fg %d", fg);
    wait_child(c);
    CHECK("TIOCSCTTY on my own terminal", ioctl(0, TIOCSCTTY, 0) == 0, "errno %d", errno);
    errno = 0;
    CHECK("setsid as leader: EPERM", setsid() == -1 && errno == EPERM, "errno %d", errno);
}

static volatile sig_atomic_t got_sig;
static void on_sig(int s) { got_sig = s; }

static void catch(int sig) {
    struct sigaction sa = { .sa_handler = on_sig };
    sigaction(sig, &sa, 0);
}

/* Runs fn in a child of a background group; returns its exit code. */
static int in_background(int (*fn)(void)) {
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        _exit(fn());
    }
    setpgid(c, c);
    return wait_child(c);
}

/* Bit 0: SIGTTIN arrived; 1: the read failed with EINTR. */
static int bg_read_caught(void) {
    catch(SIGTTIN);
    char b;
    long r = read(0, &b, 1);
    return (got_sig == SIGTTIN) | ((r == -1 && errno == EINTR) << 1);
}

static int bg_read_ignored(void) {
    signal(SIGTTIN, SIG_IGN);
    char b;
    return read(0, &b, 1) == -1 && errno == EIO ? 0 : 1;
}

static int bg_read_blocked(void) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTTIN);
    sigprocmask(SIG_BLOCK, &s, 0);
    char b;
    return read(0, &b, 1) == -1 && errno == EIO ? 0 : 1;
}

static int bg_write_tostop(void) {
    catch(SIGTTOU);
    long r = write(1, "never\n", 6);
    return (got_sig == SIGTTOU) | ((r == -1 && errno == EINTR) << 1);
}

static int bg_write_ignored(void) {
    signal(SIGTTOU, SIG_IGN);
    return write(1, "bg write with SIGTTOU ignored\n", 30) == 30 ? 0 : 1;
}

static int bg_tcsetattr(void) {
    catch(SIGTTOU);
    struct ktermios t;
    kget(&t);
    long r = kset(&t);
    return (got_sig == SIGTTOU) | ((r == -1 && errno == EINTR) << 1);
}

static void t_jobs(void) {
    CHECK("background read: SIGTTIN, EINTR", in_background(bg_read_caught) == 3, "%s", "no");
    CHECK("background read, SIGTTIN ignored: EIO", in_background(bg_read_ignored) == 0, "%s", "no");
    CHECK("background read, SIGTTIN blocked: EIO", in_background(bg_read_blocked) == 0, "%s", "no");
    CHECK("background write without TOSTOP", in_background(bg_write_ignored) == 0, "%s", "no");
    struct ktermios t = saved;
    t.c_lflag |= TOSTOP;
    kset(&t);
    CHECK("background write with TOSTOP: SIGTTOU, EINTR", in_background(bg_write_tostop) == 3, "%s", "no");
    CHECK("background write with TOSTOP, SIGTTOU ignored", in_background(bg_write_ignored) == 0, "%s", "no");
    restore();
    CHECK("background TCSETS: SIGTTOU, EINTR", in_background(bg_tcsetattr) == 3, "%s", "no");
}

static void t_devtty(void) {
    struct stat st;
    CHECK("fd 0 is /dev/console 5:1", fstat(0, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 &&
          minor(st.st_rdev) == 1, "rdev %lx", (unsigned long)st.st_rdev);
    int fd = open("/dev/tty", O_RDWR);
    CHECK("open /dev/tty", fd >= 0, "errno %d", errno);
    CHECK("/dev/tty is 5:0", fstat(fd, &st) == 0 && major(st.st_rdev) == 5 && minor(st.st_rdev) == 0, "%s", "no");
    CHECK("write /dev/tty", write(fd, "via /dev/tty\n", 13) == 13, "errno %d", errno);
    pid_t fg;
    CHECK("TIOCGPGRP on /dev/tty", ioctl(fd, TIOCGPGRP, &fg) == 0 && fg == getpgrp(), "%s", "no");
    CHECK("isatty /dev/tty", isatty(fd), "%s", "no");
    close(fd);
    CHECK("stat /dev/tty", stat("/dev/tty", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 0), "%s", "no");
    fd = open("/dev/console", O_WRONLY | O_NOCTTY);
    CHECK("open /dev/console", fd >= 0 && write(fd, "via /dev/console\n", 17) == 17, "errno %d", errno);
    close(fd);
    pid_t c = fork();
    if (c == 0) {
        setsid();
        _exit(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO ? 0 : 1);
    }
    CHECK("no /dev/tty after setsid: ENXIO", wait_child(c) == 0, "%s", "no");
}

static void t_nonblock(void) {
    int fl = fcntl(0, F_GETFL);
    fcntl(0, F_SETFL, fl | O_NONBLOCK);
    char b[8];
    errno = 0;
    long r = read(0, b, sizeof b);
    fcntl(0, F_SETFL, fl);
    CHECK("O_NONBLOCK read: EAGAIN", r == -1 && errno == EAGAIN, "r %ld errno %d", r, errno);
    int n = -1;
    CHECK("FIONREAD", ioctl(0, FIONREAD, &n) == 0 && n == 0, "n %d", n);
}

static void t_isig(void) {
    catch(SIGINT);
    catch(SIGQUIT);
    int p[2];
    pipe(p);
    pid_t c = fork();   /* same group: the foreground group is both of us */
    if (c == 0) {
        while (got_sig != SIGINT) pause();
        char x = 'i';
        write(p[1], &x, 1);
        _exit(0);
    }
    printf("ready\n");
    while (got_sig != SIGINT) pause();
    printf("parent got SIGINT\n");
    char x = 0;
    read(p[0], &x, 1);
    CHECK("child got SIGINT too", x == 'i' && wait_child(c) == 0, "%s", "no");
    printf("ready2\n");
    char b[64];
    long r = read(0, b, sizeof b);   /* ^\ interrupts it */
    CHECK("SIGQUIT interrupts a read", r == -1 && errno == EINTR && got_sig == SIGQUIT, "r %ld errno %d", r, errno);
}

/* poll(2) on the terminal: POLLOUT always, POLLIN once a line is there. */
static void t_poll(void) {
    struct pollfd p = { .fd = 0, .events = POLLIN | POLLOUT };
    long r = syscall(SYS_poll, &p, 1, 0);
    if (r < 0 && errno == ENOSYS) {
        printf("poll: ENOSYS\n");
        return;
    }
    CHECK("poll: writable, nothing to read", r == 1 && p.revents == POLLOUT, "r %ld revents %x", r, p.revents);
    printf("ready\n");
    p.events = POLLIN;
    r = poll(&p, 1, -1);
    CHECK("poll: a typed line wakes it", r == 1 && (p.revents & POLLIN), "r %ld revents %x", r, p.revents);
    char b[64];
    CHECK("and it reads", read(0, b, sizeof b) == 3 && !memcmp(b, "ab\n", 3), "%s", "no");
}

static void t_sleepread(long ms, int n) {
    struct ktermios q = saved;
    q.c_lflag &= ~ECHO;   /* the report lines stay whole: no echo of the flood between them */
    kset(&q);
    printf("ready\n");
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&ts, 0);
    static unsigned char buf[70000];
    for (int i = 0; i < n; i++) {
        long r = read(0, buf, sizeof buf);
        unsigned sum = 0;
        int clean = 1;
        for (long k = 0; k < r; k++) {
            sum = sum * 31 + buf[k];
            if (k < r - 1 && buf[k] != (unsigned char)('a' + k % 26)) clean = 0;
        }
        printf("got %ld sum %08x pattern %s\n", r, sum, clean ? "ok" : "broken");
    }
}

int main(int argc, char **argv) {
    check_init();
    if (argc < 2 || strcmp(argv[1], "--help") == 0) usage();
    if (kget(&saved) != 0) {
        printf("t_tty: fd 0 is not a terminal (errno %d)\n", errno);
        return 1;
    }
    const char *m = argv[1];
    if (!strcmp(m, "termios")) t_termios();
    else if (!strcmp(m, "lines") && argc == 3) t_lines(atoi(argv[2]));
    else if (!strcmp(m, "raw") && argc == 3) t_raw(atoi(argv[2]));
    else if (!strcmp(m, "noecho")) t_noecho();
    else if (!strcmp(m, "output")) t_output();
    else if (!strcmp(m, "winsz")) t_winsz();
    else if (!strcmp(m, "pgrp")) t_pgrp();
    else if (!strcmp(m, "jobs")) t_jobs();
    else if (!strcmp(m, "devtty")) t_devtty();
    else if (!strcmp(m, "nonblock")) t_nonblock();
    else if (!strcmp(m, "isig")) t_isig();
    else if (!strcmp(m, "poll")) t_poll();
    else if (!strcmp(m, "sleepread") && argc == 4) t_sleepread(atol(argv[2]), atoi(argv[3]));
    else usage();
    restore();
    return check_done("t_tty");
}

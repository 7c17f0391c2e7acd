/* Host test of the user runtime (user/lib/ulib.c + lib/printf.c +
 * lib/string.c): `make user-hosttest`.
 *
 * The runtime is compiled freestanding for the host, merged into one object
 * and every symbol prefixed with u_ (objcopy --prefix-symbols), so it cannot
 * clash with glibc; its system calls (now u_sys_*) are the stubs below. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *u_malloc(size_t);
void *u_calloc(size_t, size_t);
void u_free(void *);
int u_printf(const char *, ...);
int u_puts(const char *);
int u_putchar(int);
int u_atoi(const char *);

/* ---- system call stubs ---- */
static char wbuf[8192];
static size_t wlen;
static int nwrites, nmaps, nunmaps, exited = -1;
static jmp_buf exit_jmp;

long u_sys_write(int fd, const void *buf, size_t len) {
    (void)fd;
    if (wlen + len < sizeof wbuf) memcpy(wbuf + wlen, buf, len), wlen += len;
    nwrites++;
    return (long)len;
}
long u_sys_mmap(void *addr, size_t len, int prot) {
    (void)addr; (void)prot;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -12;
    nmaps++;
    return (long)p;
}
long u_sys_munmap(void *addr, size_t len) { nunmaps++; return munmap(addr, len); }
long u_sys_exit(int status) { exited = status; longjmp(exit_jmp, 1); }

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void reset_out(void) { wlen = 0; nwrites = 0; memset(wbuf, 0, sizeof wbuf); }

static void test_output(void) {
    reset_out();
    u_printf("a %d\nb %s\n", 42, "x");
    CHECK(nwrites == 1 && strcmp(wbuf, "a 42\nb x\n") == 0);    /* one write per call */
    reset_out();
    u_putchar('h'); u_putchar('i');
    CHECK(nwrites == 0);
    u_putchar('\n');
    CHECK(nwrites == 1 && strcmp(wbuf, "hi\n") == 0);            /* putchar flushes on newline */
    reset_out();
    char big[1001];
    memset(big, 'z', 1000); big[1000] = 0;
    u_printf("%s", big);
    CHECK(wlen == 1000 && nwrites == 2);                           /* 512-byte buffer */
    reset_out();
    u_puts("line");
    CHECK(nwrites == 1 && strcmp(wbuf, "line\n") == 0);
}

static void test_atoi(void) {
    CHECK(u_atoi("0") == 0 && u_atoi("123") == 123 && u_atoi("-45") == -45);
    CHECK(u_atoi("  +7x") == 7 && u_atoi("") == 0 && u_atoi("abc") == 0);
    CHECK(u_atoi("99999999999") == 2147483647 && u_atoi("-99999999999") == -2147483647 - 1);
}

static unsigned rnd_state = 12345;
static unsigned rnd(void) { return rnd_state = rnd_state * 1103515245u + 12345u, rnd_state >> 8; }

static void test_malloc(void) {
    enum { N = 2000 };
    static unsigned char *p[N];
    static size_t sz[N];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < N; i++) {
            if (p[i] && rnd() % 2) {
                for (size_t j = 0; j < sz[i]; j++) CHECK(p[i][j] == (unsigned char)(i + j));
                u_free(p[i]);
                p[i] = NULL;
            }
            if (!p[i]) {
                sz[i] = rnd() % 8 ? rnd() % 300 : rnd() % 70000;   /* some large ones */
                p[i] = u_malloc(sz[i]);
                CHECK(p[i] != NULL && ((unsigned long)p[i] & 15) == 0);
                for (size_t j = 0; j < sz[i]; j++) p[i][j] = (unsigned char)(i + j);
            }
        }
    }
    for (int i = 0; i < N; i++) {
        for (size_t j = 0; j < sz[i]; j++) CHECK(p[i][j] == (unsigned char)(i + j));
        u_free(p[i]);
        p[i] = NULL;
    }
    CHECK(nunmaps > 0);                                 /* large blocks went back */
    /* Everything is free and merged: another round must not need new chunks. */
    int maps_before = nmaps;
    void *q[64];
    for (int i = 0; i < 64; i++) q[i] = u_malloc(1000);
    for (int i = 0; i < 64; i++) u_free(q[i]);
    CHECK(nmaps == maps_before);
    unsigned char *z = u_calloc(100, 3);
    int zero = 1;
    for (int i = 0; i < 300; i++) zero &= z[i] == 0;
    CHECK(zero);
    u_free(z);
    CHECK(u_calloc((size_t)1 << 40, (size_t)1 << 40) == NULL);   /* overflow */
    u_free(NULL);
    /* A double free is caught and ends the program with status 134. */
    void *d = u_malloc(10);
    u_free(d);
    if (!setjmp(exit_jmp)) u_free(d);
    CHECK(exited == 134);
}

int main(void) {
    test_output();
    test_atoi();
    test_malloc();
    printf("user-hosttest: %s (%d failure%s)\n", failures ? "FAILED" : "passed", failures,
           failures == 1 ? "" : "s");
    return failures != 0;
}

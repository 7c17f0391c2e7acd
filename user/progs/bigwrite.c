/* bigwrite [MiB]: one write() of MiB (default 4) MiB to fd 1, then
 * "bigwrite: done <result>". The console must keep answering while the
 * write runs (tests/qemu/test_bounded_work.py). */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    unsigned long mib = argc > 1 ? (unsigned long)atoi(argv[1]) : 4;
    if (mib == 0 || mib > 32) mib = 4;
    unsigned long len = mib << 20;
    long a = sys_mmap(0, len, PROT_READ | PROT_WRITE);
    if (sys_is_err(a)) { printf("bigwrite: mmap failed %ld\n", a); return 2; }
    char *buf = (char *)a;
    for (unsigned long i = 0; i < len; i++) buf[i] = (i % 64 == 63) ? '\n' : '.';
    printf("bigwrite: writing %lu bytes\n", len);
    flush();
    long r = sys_write(STDOUT_FD, buf, len);
    printf("bigwrite: done %ld\n", r);
    return r == (long)len ? 0 : 1;
}

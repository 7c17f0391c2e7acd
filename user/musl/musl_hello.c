/* musl_hello: the smallest Linux-ABI program, built with musl-gcc -static.
 * Prints its arguments, one environment variable and its TLS, so the test
 * sees the whole initial stack (argv, envp, auxv) arrive. Usage:
 * musl_hello [ARG...] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>

static __thread int tls = 43;

int main(int argc, char **argv) {
    printf("hello from musl: argc=%d", argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    const char *path = getenv("PATH");
    printf("PATH=%s tls=%d pagesz=%lu random=%s\n", path ? path : "(unset)", tls, getauxval(AT_PAGESZ),
           getauxval(AT_RANDOM) ? "yes" : "no");
    return argc > 1 && argv[1][0] == 'x' ? 3 : 0;
}

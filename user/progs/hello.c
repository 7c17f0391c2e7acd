/* hello: the first user program. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    printf("Hello from user space! pid=%ld\n", sys_getpid());
    return 0;
}

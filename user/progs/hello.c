/* hello [--after <ms>]: the first user program. With --after it sleeps
 * first (a background program that prints later, for the console's tests). */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--after") == 0) {
        sys_sleep((unsigned long)atoi(argv[2]));
    } else if (argc > 1) {
        printf("usage: hello [--after <ms>]\n");
        return 2;
    }
    printf("Hello from user space! pid=%ld\n", sys_getpid());
    return 0;
}

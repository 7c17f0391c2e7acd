/* args: shows the argument vector the kernel built on the stack. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    if (argv[argc] != NULL) {          /* crt0 contract: argv is NULL-terminated */
        printf("args: argv[%d] is not NULL\n", argc);
        return 1;
    }
    return 0;
}

/* true: exits 0 at once and prints nothing; the smallest program to spawn
 * (bench's spawn_exit_wait). */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(void) {
    return 0;
}

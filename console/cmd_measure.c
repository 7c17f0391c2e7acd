/* measurements: the measurement log (fs/measure.h), the same text as
 * /sys/kernel/security/measurements. */
#include "console/shell.h"
#include "fs/measure.h"
#include "lib/console_out.h"
#include "mm/kheap.h"

static int cmd_measurements(int argc, char **argv) {
    (void)argv;
    if (argc != 1) {
        kprintf("usage: measurements\n");
        return -1;
    }
    size_t cap = MEASURE_TEXT_MAX;
    char *buf = kmalloc(cap);
    if (!buf) {
        kprintf("measurements: out of memory\n");
        return -1;
    }
    measure_text(buf, cap);
    kprintf("%s", buf);
    kfree(buf);
    return 0;
}
SHELL_COMMAND(measurements, "measurements", "measurements", "SHA-256 of the boot images (kernel, initrd) as the loader measured them",
              cmd_measurements);

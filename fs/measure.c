/* The kernel's measurement log (fs/measure.h). The log is a static array:
 * recording a measurement allocates nothing, so it cannot fail or leak. */
#include "fs/measure.h"
#include "fs/fs.h"
#include "boot/boot_info.h"
#include "lib/console_out.h"
#include "mm/kheap.h"

static struct measure_log log = { .next_seq = 1 };

void measure_add(const char *what, const char *path, const uint8_t sha256[32]) {
    measure_log_add(&log, what, path, sha256, -1);
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

void measure_boot(const struct boot_info *bi) {
    /* Only the UEFI loader hashes the images; on other paths the fields are
     * zero and nothing is recorded rather than something made up. */
    if (bi->path != BOOT_PATH_UEFI) return;
    int pinned = bi->images_pinned == 1;
    if (!all_zero(bi->kernel_sha256, 32)) {
        measure_log_add(&log, "kernel", "kernel.elf", bi->kernel_sha256, pinned);
        log.loader_measured = 1;
    }
    if (!all_zero(bi->initrd_sha256, 32)) {
        measure_log_add(&log, "initrd", "initrd.cpio", bi->initrd_sha256, pinned);
        log.loader_measured = 1;
    }
}

size_t measure_text(char *buf, size_t size) { return measure_log_text(&log, buf, size); }

/* A snapshot in the RAMFS, sealed with /sys: today every entry is made
 * before fs_init, so the snapshot is the whole log. */
void measure_publish(void) {
    char *buf = kmalloc(MEASURE_TEXT_MAX);
    if (!buf) {
        kprintf("[FS] error: %s: out of memory\n", MEASURE_PATH);
        return;
    }
    size_t n = measure_text(buf, MEASURE_TEXT_MAX);
    int r = vfs_mkdir("/sys/kernel");
    if (!r) r = vfs_mkdir("/sys/kernel/security");
    if (!r) r = vfs_create(MEASURE_PATH, 1, buf, n);
    if (r) kprintf("[FS] error: %s: %s\n", MEASURE_PATH, vfs_strerror(r));
    kfree(buf);
}

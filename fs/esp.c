/* Mounting the ESP at /boot/efi. The loader cannot name the volume in a way
 * the kernel's drivers understand (a firmware device path), so it passes
 * the SHA-256 of the volume's first 512 bytes (uefi/esp_id.c) and the kernel
 * hashes the first 512 bytes of every disk and partition it has; the
 * matching is pure (fs/esp_match.c). */
#include "fs/esp.h"
#include "fs/esp_match.h"
#include "fs/fs.h"
#include "fs/mount.h"
#include "block/blockdev.h"
#include "boot/boot_info.h"
#include "lib/console_out.h"
#include "lib/sha256.h"
#include "lib/string.h"
#include "secos/errno.h"

static struct esp_candidate candidates[BLOCKDEV_MAX];

static void hash_first_bytes(struct blockdev *d, struct esp_candidate *c) {
    static uint8_t sector[ESP_ID_BYTES];
    c->readable = 0;
    if (blk_size(d) < ESP_ID_BYTES || blk_read(d, 0, sector, ESP_ID_BYTES) != ESP_ID_BYTES) return;
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, sector, ESP_ID_BYTES);
    sha256_final(&h, c->hash);
    c->readable = 1;
}

/* mkdir -p for the mount point: /boot may not exist yet. */
static int make_mount_dir(void) {
    struct vfs_stat st;
    int r = 0;
    if (vfs_lookup("/boot", &st) == -ENOENT) r = vfs_mkdir("/boot");
    if (r == 0 && vfs_lookup(ESP_MOUNT_DIR, &st) == -ENOENT) r = vfs_mkdir(ESP_MOUNT_DIR);
    return r;
}

void fs_esp_mount(const char *cmdline) {
    if (boot_info.path != BOOT_PATH_UEFI) return;   /* no ESP to look for */
    enum esp_mode mode;
    if (esp_mode_parse(cmdline, &mode) != 0)
        kprintf("[esp] esp= takes ro, rw or off; mounting read-only\n");
    if (mode == ESP_MODE_OFF) {
        kprintf("[esp] esp=off: %s not mounted\n", ESP_MOUNT_DIR);
        return;
    }
    if (!boot_info.esp_id_valid) {
        kprintf("[esp] the loader could not identify its volume: %s not mounted\n", ESP_MOUNT_DIR);
        return;
    }
    uint32_t n = 0;
    struct blockdev *devs[BLOCKDEV_MAX];
    for (struct blockdev *d; n < BLOCKDEV_MAX && (d = blockdev_at(n)) != 0; n++) {
        devs[n] = d;
        hash_first_bytes(d, &candidates[n]);
    }
    int i = esp_pick(boot_info.esp_id, candidates, n);
    if (i == -ENOENT) {
        kprintf("[esp] no block device holds the volume the loader came from: %s not mounted\n", ESP_MOUNT_DIR);
        return;
    }
    if (i < 0) {
        kprintf("[esp] more than one block device holds the loader's volume: %s not mounted\n", ESP_MOUNT_DIR);
        return;
    }
    unsigned flags = mode == ESP_MODE_RW ? 0 : FS_MOUNT_RDONLY;
    int r = make_mount_dir();
    if (r == 0) r = fs_mount(devs[i]->name, ESP_MOUNT_DIR, "vfat", flags);
    if (r == 0)
        kprintf("[esp] %s mounted at %s (%s)\n", devs[i]->name, ESP_MOUNT_DIR, flags ? "ro" : "rw");
    else
        kprintf("[esp] error: %s on %s: %s\n", devs[i]->name, ESP_MOUNT_DIR, vfs_strerror(r));
}

/* Test configuration only: canaryfp prints a fingerprint of this boot's
 * stack canary (the first 8 bytes of its SHA-256, never the value), so a
 * QEMU test can tell whether two boots of the same image under -icount got
 * the same guard (deterministic sources only) or different ones (a seed
 * source such as the UEFI loader's EFI_RNG_PROTOCOL seed or virtio-rng). */
#include "console/shell.h"
#include "arch/x86_64/canary.h"
#include "lib/console_out.h"
#include "lib/sha256.h"

static int cmd_canaryfp(int argc, char **argv) {
    (void)argv;
    if (argc != 1) { kprintf("usage: canaryfp\n"); return 1; }
    uint8_t d[SHA256_DIGEST];
    struct sha256 s;
    sha256_init(&s);
    sha256_update(&s, &__stack_chk_guard, sizeof __stack_chk_guard);
    sha256_final(&s, d);
    kprintf("canaryfp: ");
    for (int i = 0; i < 8; i++) kprintf("%02x", d[i]);
    kprintf("\n");
    return 0;
}
SHELL_COMMAND(canaryfp, "canaryfp", "canaryfp",
              "(test) print a SHA-256 fingerprint of the stack canary, never the canary", cmd_canaryfp);

/* virtio-rng: one request queue; the driver offers a device-writable buffer
 * and the device fills it with random bytes from the host. Read once at
 * boot, right after PCI, so ASLR, AT_RANDOM, getrandom and /dev/urandom of
 * every program have a strong seed even on a CPU without RDRAND.
 *
 * The buffer and ring are one kernel-owned frame, given to the device and
 * never reused for anything else (a device that never answers keeps it).
 * The wait is bounded: a device that does not complete, or claims more
 * bytes than the buffer holds, delivers nothing and is left alone. */
#include "drivers/virtio_rng.h"
#include "drivers/virtio_pci.h"
#include "drivers/virtq.h"
#include "drivers/pci.h"
#include "arch/x86_64/entropy.h"
#include "mm/pmm.h"
#include "mm/physmap.h"
#include "lib/console_out.h"
#include "lib/string.h"

#define VIRTIO_RNG_BYTES 64
#define QUEUE_SIZE 2
/* Polls before giving up (QEMU answers within microseconds; this is seconds under TCG). */
#define POLL_LIMIT 50000000ULL
#define BUF_OFF 3072              /* the buffer's place in the ring frame: after the used ring */

static int read_device(const struct pci_dev *d) {
    struct virtio_pci vp;
    struct virtq q;
    const char *why = "";
    if (virtio_pci_probe(&vp, d, &why) != 0) {
        kprintf("[VIRTIO] %02x:%02x.%x: %s\n", d->bus, d->dev, d->fn, why);
        return 0;
    }
    /* Polled, never interrupting: the driver has no handler, and an INTx
     * line left asserted on a level-triggered line shared with a NIC or a
     * disk would storm that device's handler. */
    pci_intx_disable(d);
    if (!virtio_pci_negotiate(&vp, VIRTIO_F_VERSION_1)) {
        kprintf("[VIRTIO] %02x:%02x.%x: rng: feature negotiation failed\n", d->bus, d->dev, d->fn);
        return 0;
    }
    uint64_t frame = pmm_alloc_zeroed();
    if (!frame) return 0;
    uint16_t qs = virtio_pci_queue_size(&vp, 0, QUEUE_SIZE);
    if (qs == 0 || virtq_init(&q, phys_to_virt(frame), qs) != 0 ||
        virtio_pci_enable_queue(&vp, 0, qs, frame, frame + virtq_avail_off(qs), frame + VIRTQ_USED_OFF) != 0) {
        virtio_pci_fail(&vp);
        pmm_free(frame);   /* the device refused the queue before it could use the frame */
        kprintf("[VIRTIO] %02x:%02x.%x: rng: queue 0 could not be set up\n", d->bus, d->dev, d->fn);
        return 0;
    }
    virtio_pci_driver_ok(&vp);
    struct virtq_buf buf = { frame + BUF_OFF, VIRTIO_RNG_BYTES, 1 };
    uint32_t len = 0;
    int r = virtq_submit(&q, &buf, 1);
    if (r == 0) {
        virtio_pci_notify(&vp, 0);
        for (uint64_t spins = 0; (r = virtq_poll(&q, &len)) == 0 && spins < POLL_LIMIT; spins++) {
            virtio_pci_isr(&vp);   /* keeps a level-triggered line quiet */
            __asm__ volatile("pause");
        }
    }
    virtio_pci_isr(&vp);           /* acknowledges the completion, should the device signal it anyway */
    if (r != 1 || len == 0) {
        virtio_pci_fail(&vp);
        kprintf("[VIRTIO] %02x:%02x.%x: rng: no random bytes from the device\n", d->bus, d->dev, d->fn);
        return 0;                  /* the frame stays with the device: it may still write it */
    }
    uint8_t *p = (uint8_t *)phys_to_virt(frame) + BUF_OFF;
    entropy_add("virtio-rng", p, len, 1);
    memset(p, 0, VIRTIO_RNG_BYTES);
    kprintf("[VIRTIO] %02x:%02x.%x: rng: %u bytes into the entropy pool\n", d->bus, d->dev, d->fn, len);
    return 1;
}

int virtio_rng_init(void) {
    /* 0x1005: transitional (legacy + modern); 0x1044: modern only. */
    static const uint16_t ids[] = { 0x1005, 0x1044 };
    int n = 0;
    for (unsigned k = 0; k < 2; k++)
        for (uint32_t i = 0;; i++) {
            const struct pci_dev *d = pci_find_id(0x1af4, ids[k], i);
            if (!d) break;
            n += read_device(d);
        }
    return n;
}

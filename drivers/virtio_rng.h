/* virtio-rng (virtio 1.x PCI, 5.4): the host's randomness into the kernel's
 * entropy pool. */
#ifndef DRIVERS_VIRTIO_RNG_H
#define DRIVERS_VIRTIO_RNG_H

/* Probes every virtio-rng function and mixes VIRTIO_RNG_BYTES from each
 * into the pool (a strong source): the number of devices that delivered. */
int virtio_rng_init(void);

#endif

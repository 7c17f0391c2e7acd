/* virtio-net (virtio 1.x PCI) NICs as netdevs. */
#ifndef DRIVERS_VIRTIO_NET_H
#define DRIVERS_VIRTIO_NET_H

/* Probes every virtio-net function: the number of NICs registered. */
int virtio_net_init(void);

#endif

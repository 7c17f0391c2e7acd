/* The raw frame device /dev/eth<N>: how the one privileged network
 * process (manifest flag MANIFEST_FLAG_NET_RAW) talks to a NIC.
 *
 *   open:  -EPERM without the flag, -EBUSY while another description holds
 *          the NIC; the NIC's queue starts empty.
 *   read:  one whole Ethernet frame (no FCS) per call; -EMSGSIZE when the
 *          buffer is shorter than the next frame (it stays queued, nothing
 *          is cut); blocks while none is queued (-EAGAIN with O_NONBLOCK,
 *          -EINTR on a signal).
 *   write: one frame per call, 14..1514 bytes, its source address the NIC's
 *          own (-EINVAL otherwise); -EAGAIN/-ENOBUFS when the ring is full.
 *   poll:  readable while a frame is queued; always writable.
 *   ioctl: SECOS_NETRAW_INFO fills struct secos_netraw_info. */
#ifndef SECOS_NETRAW_H
#define SECOS_NETRAW_H
#include <stdint.h>

#define SECOS_NETRAW_MAJOR 240          /* Linux's "local use" range: no Linux driver has it */
#define SECOS_NETRAW_INFO  0x4e01u      /* 'N' 1 */
#define SECOS_NETRAW_FRAME_MAX 1514

struct secos_netraw_info {
    uint8_t mac[6];
    uint16_t mtu;          /* 1500 */
    uint32_t link_up;      /* 1 or 0 */
    uint64_t rx_dropped;   /* frames lost to a full queue so far */
};

#endif

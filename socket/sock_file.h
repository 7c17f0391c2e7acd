/* A socket as an open file: read/write/poll/stat/ioctl on its descriptor,
 * and the send and receive paths the socket calls share with them. */
#ifndef SOCKET_SOCK_FILE_H
#define SOCKET_SOCK_FILE_H
#include <stdint.h>
#include "socket/sock.h"
#include "socket/sockarg.h"

struct file;

/* Linux's MSG_* flags the calls accept. */
#define SOCK_MSG_PEEK     0x02
#define SOCK_MSG_TRUNC    0x20
#define SOCK_MSG_DONTWAIT 0x40
#define SOCK_MSG_WAITALL  0x100
#define SOCK_MSG_NOSIGNAL 0x4000
#define SOCK_MSG_KNOWN (SOCK_MSG_PEEK | SOCK_MSG_TRUNC | SOCK_MSG_DONTWAIT | SOCK_MSG_WAITALL | SOCK_MSG_NOSIGNAL)

/* A description for s with one reference (s is the file's from now on and
 * goes with its last close), or 0 (s destroyed). flags: O_NONBLOCK. */
struct file *sock_file_new(struct sock *s, int flags);
/* The socket behind f, or 0 when f is not one. */
struct sock *sock_of(struct file *f);

/* Sends len bytes from user memory ubuf (or kernel memory kbuf when not 0):
 * bytes sent, or -errno. dst: a datagram's destination, 0 for the
 * connected one. */
long sock_send(struct file *f, uint64_t ubuf, const void *kbuf, uint64_t len, int flags,
               const struct sock_addr *dst);
/* Receives into user memory ubuf (a datagram: into kernel memory kbuf
 * when not 0): bytes, or -errno. *src gets a datagram's source (a
 * stream's peer); *trunc 1 when a datagram was longer than len (MSG_TRUNC
 * in flags: the datagram's length is returned). */
long sock_recv(struct file *f, uint64_t ubuf, void *kbuf, uint64_t len, int flags, struct sock_addr *src, int *trunc);

#endif

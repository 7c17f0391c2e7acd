/* The network server's keeper: with net=on on the kernel command line the
 * kernel starts /sbin/netd --daemon and starts it again whenever it ends
 * (Minix 3's reincarnation: a dead server costs its sockets, never the
 * kernel, and a new connection works once it is back). */
#ifndef SOCKET_NET_KEEPER_H
#define SOCKET_NET_KEEPER_H

#define NET_KEEPER_PATH "/sbin/netd"

/* /dev/netsrv, and the keeper thread when cmdline says net=on (after the
 * initrd is mounted). 0, or -errno (and a [net] line) when either fails. */
int socket_init(void);
int net_keeper_start(const char *cmdline);
/* The server's pid (0: none) and how often the keeper started it. */
int net_keeper_pid(void);
unsigned net_keeper_starts(void);
int net_keeper_enabled(void);

#endif

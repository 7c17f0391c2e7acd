/* /dev/netsrv, the network server's end of the socket channel. */
#ifndef SOCKET_NETSRV_FILE_H
#define SOCKET_NETSRV_FILE_H

/* Registers the device node (at boot, before any process runs): 0 or -ENOSPC. */
int netsrv_file_init(void);

#endif

/* The raw frame devices /dev/eth<N> (include/secos/netraw.h). */
#ifndef FS_NETDEV_FILE_H
#define FS_NETDEV_FILE_H

/* Registers one /dev node per NIC found (after the NIC drivers, before any
 * process runs): how many. */
int netdev_files_init(void);

#endif

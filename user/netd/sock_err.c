/* lwIP's err_t and addresses in the kernel's terms: Linux errno values
 * (musl's errno.h has Linux's numbers) and host-order IPv4 integers. */
#include "sock.h"
#include "lwip/netif.h"
#include <errno.h>

int sock_errno(err_t e) {
    switch (e) {
    case ERR_OK:         return 0;
    case ERR_MEM:        return -ENOBUFS;
    case ERR_BUF:        return -ENOBUFS;
    case ERR_TIMEOUT:    return -ETIMEDOUT;
    case ERR_RTE:        return -ENETUNREACH;
    case ERR_INPROGRESS: return -EINPROGRESS;
    case ERR_VAL:        return -EINVAL;
    case ERR_WOULDBLOCK: return -EAGAIN;
    case ERR_USE:        return -EADDRINUSE;
    case ERR_ALREADY:    return -EALREADY;
    case ERR_ISCONN:     return -EISCONN;
    case ERR_CONN:       return -ENOTCONN;
    case ERR_IF:         return -ENETDOWN;
    case ERR_ABRT:       return -ECONNABORTED;
    case ERR_RST:        return -ECONNRESET;
    case ERR_CLSD:       return -ENOTCONN;
    case ERR_ARG:        return -EINVAL;
    default:             return -EIO;
    }
}

uint32_t addr_host(const ip_addr_t *a) {
    return a ? lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(a))) : 0;
}

void addr_lwip(ip_addr_t *out, uint32_t host) {
    ip_addr_set_ip4_u32_val(*out, lwip_htonl(host));
}

int addr_bindable(uint32_t host) {
    if (host == 0 || (host >> 24) == 127) return 0;
    struct netif *n;
    NETIF_FOREACH(n)
        if (lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(n))) == host) return 0;
    return -EADDRNOTAVAIL;
}

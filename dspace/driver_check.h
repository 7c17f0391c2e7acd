/* The Driver Space permission engine: pure (no kernel state), host-tested.
 *
 * driver_check() judges one call against the registry in a fixed order and
 * returns the first failure:
 *   1. device exists              DRV_ERR_DEVICE
 *   2. caller holds its binding   DRV_ERR_BINDING
 *   3. opcode known               DRV_ERR_OPCODE
 *   4. device has the capability  DRV_ERR_PERM
 *   5. offsets/lengths in range   DRV_ERR_RANGE   (computed without overflow)
 *   6. aligned, non-empty, flags  DRV_ERR_ARGS
 * DRV_OK means the call may be performed (rate limit and mapping state are
 * checked by the caller afterwards). */
#ifndef DSPACE_DRIVER_CHECK_H
#define DSPACE_DRIVER_CHECK_H
#include <stdint.h>
#include "dspace/device.h"

int driver_check(const device_desc_t *devs, uint32_t ndevs, int caller, const driver_call_t *call);

/* The capability an opcode needs; 0 for an unknown opcode. */
uint32_t driver_op_cap(uint32_t opcode);
/* "READ_REG", ..., or "?" */
const char *driver_op_name(uint32_t opcode);
/* "DRV_OK", ..., "EFAULT", "ENOMEM", or "?" */
const char *driver_result_name(long result);
/* An opcode by number ("3") or name ("MAP_MEM", "map_mem", "map"); 0 or -1. */
int driver_op_parse(const char *s, uint32_t *opcode);
/* "RWMI" style capability string into buf (at least 5 bytes). */
void driver_caps_str(uint32_t caps, char *buf);

#endif

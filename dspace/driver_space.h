/* Driver Space, kernel side: the device registry, bindings, the rate limiter
 * and the audit log (one instance each), and the call path. Pure logic lives
 * in driver_check.c, rate_limit.c and audit.c; this header is the glue.
 *
 * Locking: none needed. There is one CPU, kernel code is never preempted,
 * and neither the syscall path nor the shell commands sleep while they use
 * this state, so each runs to completion before the other can start. */
#ifndef DSPACE_DRIVER_SPACE_H
#define DSPACE_DRIVER_SPACE_H
#include <stdint.h>
#include "dspace/device.h"
#include "dspace/rate_limit.h"
#include "dspace/audit.h"

struct address_space;

/* drvtest's pseudo-caller. pid 0 is the idle task, which never makes a
 * system call, so no user process can ever be this caller. */
#define DRIVER_KERNEL_PID 0

#define DRIVER_AUDIT_CAPACITY 128
#define DRIVER_RATE_DEFAULT   100 /* calls per second, per (process, opcode) */
#define DRIVER_BURST_DEFAULT  20

extern device_desc_t driver_devices[DRIVER_MAX_DEVICES];
extern uint32_t driver_ndevices;
extern rl_table_t driver_rate;
extern audit_ring_t driver_audit;

/* Registers the devices and allocates their memory regions. Idempotent;
 * every entry point calls it, so no boot code has to. 0 or -ENOMEM. */
int driver_registry_init(void);

device_desc_t *driver_device(uint32_t id);          /* NULL if no such device */
/* The address space the owner's mappings live in (drvtest's scratch space
 * for DRIVER_KERNEL_PID); NULL if the process has none any more. */
struct address_space *driver_owner_space(int pid);
void driver_set_kernel_space(struct address_space *as);

/* Binding. bind: 0, -EBUSY if already bound, -EINVAL if no such device.
 * unbind: pages that were still mapped (>= 0), or -EINVAL / -ENOENT (not bound).
 * Unbinding removes every mapping, resets the registers, zeroes the memory
 * region (nothing passes from one driver to the next) and, once the pid
 * holds no binding, drops its rate-limit buckets. */
int driver_bind(uint32_t id, int pid);
int driver_unbind(uint32_t id);
void driver_space_release(int pid);                 /* exit/kill: registered as a proc release hook */
/* Unmaps page `page` of device id's window from as if MAP_MEM's PTE is still
 * there (device frame, not PTE_OWNED, so the frame stays the registry's). */
void driver_unmap_page(struct address_space *as, const device_desc_t *d, uint32_t id, uint64_t page);

/* The whole call path on a kernel copy of the call, for caller pid:
 * permission engine, rate limit, the operation itself (MAP/UNMAP into
 * driver_owner_space(pid)), audit. Returns a DRV_* result or -ENOMEM; on
 * DRV_OK the outputs are in *call. */
long handle_driver_call(int pid, driver_call_t *call);
/* Audits a call that could not even be read (bad pointer). */
void driver_audit_fault(int pid, long err);

#endif

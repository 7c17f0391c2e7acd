/* The registry's view of a device, shared by the pure permission engine
 * (driver_check.c, host-tested) and the kernel glue (registry.c). Nothing
 * here touches hardware: registers are a shadow buffer in kernel memory and
 * the memory region is ordinary kernel-owned frames. */
#ifndef DSPACE_DEVICE_H
#define DSPACE_DEVICE_H
#include <stdint.h>
#include "secos/driver.h"

#define DRIVER_MAX_DEVICES   8
#define DRIVER_MEM_MAX_PAGES 64   /* `mapped` is a 64-bit page mask */
#define DRIVER_UNBOUND       (-1) /* owner of a device nobody drives */
#define DRIVER_DEV_NONE      0xffffffffu /* audit: the call could not be read */

/* What changes while the system runs: who drives the device and which of its
 * pages are mapped. Kept apart so the descriptor itself can be read-only. */
struct device_binding {
    int owner;                  /* pid of the bound driver, or DRIVER_UNBOUND */
    uint64_t mapped;            /* bit i: page i of the region is mapped into owner */
};

/* A device descriptor: fixed once the registry is set up, then remapped
 * read-only with the rest of .data.ro_after_init (caps, ranges and the
 * register/memory locations cannot be rewritten by a kernel write bug). */
typedef struct {
    const char *name;
    uint32_t caps;              /* DRIVER_CAP_* */
    uint64_t *regs;             /* register block base: a shadow buffer */
    uint64_t reg_size;          /* bytes, a multiple of DRIVER_REG_WIDTH */
    const uint64_t *reg_reset;  /* register values after reset (reg_size bytes) */
    uint64_t mem_base;          /* memory region base: physical, contiguous, kernel-owned */
    uint64_t mem_size;          /* bytes, whole pages, at most DRIVER_MEM_MAX_PAGES */
    struct device_binding *bind; /* the mutable part */
} device_desc_t;

#endif

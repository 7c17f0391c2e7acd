/* Driver Space: the interface between a ring-3 driver and the kernel, shared
 * by the kernel and user space (see docs/DRIVER_SPACE.md).
 *
 * A user process bound to a device (shell `drvreg <id> [pid]`) drives it only
 * through SYS_driver(driver_call_t *call). The kernel copies the struct in,
 * checks it, performs the operation on the device's shadow registers or
 * memory, and on DRV_OK copies the struct back with the results filled in.
 *
 * Return value of SYS_driver:
 *   >= 0  a DRV_* result (DRV_OK = 0): the call was read and judged;
 *   < 0   a negative errno: the call could not be read or answered at all
 *         (-EFAULT: call is not a readable and writable user buffer;
 *          -ENOMEM: no memory for the page tables of a MAP_MEM).
 *
 * Outputs (written back on DRV_OK only):
 *   READ_REG   value      = the 64-bit register at reg_offset
 *   MAP_MEM    value      = user address where mem_offset was mapped
 *   GET_INFO   value      = capability mask (DRIVER_CAP_*)
 *              reg_offset = size of the register block in bytes
 *              mem_offset = 0
 *              mem_length = size of the memory region in bytes
 *   WRITE_REG, UNMAP_MEM: nothing. */
#ifndef SECOS_DRIVER_H
#define SECOS_DRIVER_H
#include <stdint.h>

typedef struct {
    uint32_t opcode;      // DRIVER_OP_*
    uint32_t device_id;   // index in the registry
    uint64_t reg_offset;  // offset in the register block
    uint64_t value;       // value for WRITE_REG, or a generic argument
    uint64_t mem_offset;  // offset in the device memory region
    uint64_t mem_length;  // length for MAP_MEM / UNMAP_MEM
    uint32_t flags;       // DRIVER_FLAG_*
} driver_call_t;

/* Opcodes. 0 is not one, so an all-zero call is refused. */
#define DRIVER_OP_READ_REG  1u
#define DRIVER_OP_WRITE_REG 2u
#define DRIVER_OP_MAP_MEM   3u
#define DRIVER_OP_UNMAP_MEM 4u
#define DRIVER_OP_GET_INFO  5u
#define DRIVER_OP_COUNT     6u  /* one past the last opcode (table size) */

/* Results, numbered in the order handle_driver_call() checks them. */
#define DRV_OK           0
#define DRV_ERR_DEVICE   1  /* no device with that id */
#define DRV_ERR_BINDING  2  /* the caller is not the device's bound driver */
#define DRV_ERR_OPCODE   3  /* unknown opcode */
#define DRV_ERR_PERM     4  /* the device lacks the capability the opcode needs */
#define DRV_ERR_RANGE    5  /* offset/length outside the register block or memory region */
#define DRV_ERR_ARGS     6  /* misaligned, zero length, unknown flag, or wrong mapping state */
#define DRV_ERR_RATE     7  /* over the (process, opcode) rate limit */

/* Flags. */
#define DRIVER_FLAG_AUDIT   (1u << 0) /* record this call in the audit log even if it succeeds */
#define DRIVER_FLAGS_KNOWN  DRIVER_FLAG_AUDIT

/* Capabilities of a device; each opcode needs one. */
#define DRIVER_CAP_READ  (1u << 0) /* READ_REG */
#define DRIVER_CAP_WRITE (1u << 1) /* WRITE_REG */
#define DRIVER_CAP_MAP   (1u << 2) /* MAP_MEM, UNMAP_MEM */
#define DRIVER_CAP_INFO  (1u << 3) /* GET_INFO */

/* Registers are 64 bits wide: reg_offset must be a multiple of 8. MAP_MEM
 * and UNMAP_MEM work on whole pages: mem_offset and mem_length must be
 * multiples of DRIVER_PAGE_SIZE and mem_length non-zero. */
#define DRIVER_REG_WIDTH 8u
#define DRIVER_PAGE_SIZE 4096u

/* Where MAP_MEM puts device memory in the caller: byte o of device d's region
 * is at DRIVER_MAP_BASE + d * DRIVER_MAP_STRIDE + o (the kernel chooses; the
 * address is also returned in value). */
#define DRIVER_MAP_BASE   ((uint64_t)0x0000300000000000ULL)
#define DRIVER_MAP_STRIDE ((uint64_t)1 << 30)

/* GET_INFO results, read from the call struct after DRV_OK. */
#define DRIVER_INFO_CAPS(c)     ((uint32_t)(c)->value)
#define DRIVER_INFO_REG_SIZE(c) ((c)->reg_offset)
#define DRIVER_INFO_MEM_SIZE(c) ((c)->mem_length)

#endif

/* A user process's memory map, for the SECoS and Linux memory calls: the
 * policy above the VMM's regions (mm/region.h) and pages. Addresses and
 * lengths are the caller's (already decoded); results are Linux's errno
 * values. Rules for every call:
 *   - nothing below UMEM_MIN_ADDR, in the kernel half, non-canonical, or in
 *     the Driver Space window area (device memory is the registry's);
 *   - W^X: no page is ever writable and executable at once, and no page
 *     becomes executable unless it already is (only a program's own text
 *     is), nor writable while it is executable (-EACCES);
 *   - the page budget: mappings are demand-zero, a page is paid for when
 *     touched (past page_limit the process is killed, as for any fault);
 *     only the break refuses up front to grow past what page_limit could
 *     ever back. */
#ifndef KERNEL_UMEM_H
#define KERNEL_UMEM_H
#include <stdint.h>

struct proc;

#define UMEM_MIN_ADDR 0x10000ULL /* Linux's default mmap_min_addr */
/* Where umem_map puts a mapping. */
enum umem_place {
    UMEM_ANYWHERE,        /* addr ignored */
    UMEM_HINT,            /* addr if that range is free, else anywhere */
    UMEM_FIXED,           /* exactly addr, replacing what is there */
    UMEM_FIXED_NOREPLACE, /* exactly addr, -EEXIST if anything is there */
};

/* prot: PROT_READ/WRITE/EXEC bits (secos/syscall.h); 0 is PROT_NONE.
 * Returns the address or -errno. */
long umem_map(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot, int place);
/* Unmaps every page of [addr, addr+len) (partial mappings split). */
long umem_unmap(struct proc *p, uint64_t addr, uint64_t len);
/* 0 if [addr, addr+len) is exactly one anonymous region (SECoS munmap). */
int umem_is_mapping(struct proc *p, uint64_t addr, uint64_t len);
long umem_protect(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot);
/* The new break, or the current one unchanged when want cannot be had. */
uint64_t umem_brk(struct proc *p, uint64_t want);
/* Drops the pages of [addr, addr+len) that lie in demand-zero regions:
 * their next touch reads zeros (MADV_DONTNEED). */
long umem_discard(struct proc *p, uint64_t addr, uint64_t len);
/* Reads len bytes at off of the file behind descriptor fd (of the current
 * process) into the kernel buffer buf: bytes read (0 at the end of the file),
 * or -EBADF / -EACCES (not a regular file open for reading). len 0 only
 * checks the descriptor. The file layer registers it at init. */
typedef long (*umem_file_read_fn)(uint64_t fd, uint64_t off, void *buf, uint64_t len);
void umem_set_file_source(umem_file_read_fn fn);
/* A private mapping of a file's bytes (p must be current): copied into the
 * mapping's own frames now (paid from the page budget; past the end of the
 * file the pages are demand-zero), so later changes on either side are not
 * seen by the other. Never executable. -ENODEV when no file layer registered. */
long umem_map_file(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot, int place, uint64_t fd, uint64_t off);
/* Sets the layout of a freshly loaded image: mmap base, break start. */
void umem_init_layout(struct proc *p, uint64_t image_end, uint64_t stack_bottom);

#endif

/* The only ways the kernel touches user memory. Each checks the whole range
 * against the current address space first: null, kernel-half, non-canonical,
 * wrapping, unmapped and partly mapped ranges, and writes to read-only user
 * pages, return an error code and touch nothing. Demand-zero pages inside the
 * range are faulted in. SMAP is opened (stac) only inside the copy. */
#ifndef MM_USERCOPY_H
#define MM_USERCOPY_H
#include <stddef.h>
#include <stdint.h>

/* 1 if [addr, addr+len) is user memory the current process may read (or
 * write, if write is set); len 0 is valid for any non-null addr in the user half. */
int user_range_valid(uint64_t addr, uint64_t len, int write);
int copy_from_user(void *dst, uint64_t src, uint64_t len);    /* 0 or -EFAULT */
int copy_to_user(uint64_t dst, const void *src, uint64_t len);  /* 0 or -EFAULT */
/* Copies a NUL-terminated string of at most max-1 chars. Returns its length,
 * -EFAULT, or -ENAMETOOLONG if no NUL within max bytes. */
long strncpy_from_user(char *dst, uint64_t src, uint64_t max);

void usercopy_set_smap(int enabled);

#endif

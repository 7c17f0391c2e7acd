/* The small C library of SECoS user programs: console output, a malloc on
 * SYS_mmap, exit and a few conversions. String functions are the kernel's
 * own lib/string.c, compiled again for user space. */
#ifndef USER_ULIB_H
#define USER_ULIB_H
#include <stddef.h>
#include <stdint.h>
#include "lib/string.h"
#include "syscall.h"
#include "manifest.h"

/* Output to stdout. printf collects its whole output (and anything putchar
 * left pending) and hands it to the kernel in one SYS_write, so lines of two
 * processes do not interleave mid-line; only output longer than the buffer
 * (512 bytes) is split. putchar flushes on '\n'. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *s);                  /* s and '\n' */
int putchar(int c);
void flush(void);
/* Writes all of buf to fd, retrying short writes; returns len or -errno. */
long write_all(int fd, const void *buf, size_t len);

__attribute__((noreturn)) void exit(int status);

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void free(void *p);

/* The text for an error number (err or -err), the kernel's own wording. */
const char *strerror(int err);
const char *errno_name(int err);          /* "ENOENT" */

int atoi(const char *s);                  /* optional sign, decimal; stops at the first non-digit */

#endif

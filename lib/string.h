/* Freestanding string routines shared by the kernel, user space and host tests.
 * In a host build (SECOS_HOST_TEST) the k-prefixed names avoid clashing with libc. */
#ifndef LIB_STRING_H
#define LIB_STRING_H
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copies at most size-1 bytes and always NUL-terminates; returns strlen(src)
 * so a caller can detect truncation (result >= size). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Parses an unsigned decimal (or 0x-prefixed hex) number. Returns 0 on
 * success, -1 on an empty string, a stray character or overflow. */
int parse_u64(const char *s, unsigned long long *out);
/* The first index in [i, n) of the array of 8-byte words a (integers or
 * pointers) whose word is not zero, or n. Sparse tables (page tables,
 * descriptor tables) are mostly zero: eight words are tested per step, which
 * keeps walking a 512-entry table cheap when few are used. */
size_t scan_nonzero64(const void *a, size_t i, size_t n);

#endif

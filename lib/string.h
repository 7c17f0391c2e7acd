/* Freestanding string routines shared by the kernel, user space and host tests.
 * In a host build (SECOS_HOST_TEST) the k-prefixed names avoid clashing with libc. */
#ifndef LIB_STRING_H
#define LIB_STRING_H
#include <stddef.h>

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

#endif

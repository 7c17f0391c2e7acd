/* Host unit tests only: rename lib/string.c's libc-named routines to k_*.
 *
 * lib/string.c defines memset, memcpy, strlen, ... under their real names
 * because the freestanding kernel needs exactly those symbols. Linked into a
 * host program they would replace glibc's (and ASan's interceptors), so the
 * unit build compiles every lib/ source with
 *     -include tests/unit/host_rename.h
 * and each test file includes this header first: both sides then see and
 * call k_memset, k_memcpy, ... while libc, cmocka and the sanitizers keep
 * their own.
 *
 * Order matters: the system headers that declare the real names are pulled
 * in here, BEFORE the #defines, so their declarations stay untouched and a
 * later #include <string.h> (from cmocka or a test) is a no-op thanks to its
 * include guard. Without this a late <string.h> would declare
 * "void *k_memset(void *, int, size_t)" with glibc's attributes and clash
 * with lib/string.h under -Werror.
 */
#ifndef SECOS_TESTS_UNIT_HOST_RENAME_H
#define SECOS_TESTS_UNIT_HOST_RENAME_H

#ifndef SECOS_HOST_TEST
#error "tests/unit/host_rename.h is for the host unit-test build only"
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

/* A fortified glibc may have made some of these function-like macros. */
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strlcpy

#define memset  k_memset
#define memcpy  k_memcpy
#define memmove k_memmove
#define memcmp  k_memcmp
#define strlen  k_strlen
#define strnlen k_strnlen
#define strcmp  k_strcmp
#define strncmp k_strncmp
#define strchr  k_strchr
#define strlcpy k_strlcpy

/* Declares the k_* names (through the macros above) for whoever includes us. */
#include "lib/string.h"

#endif

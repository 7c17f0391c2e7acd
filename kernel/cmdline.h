/* The kernel command line (GRUB's multiboot2 line, QEMU's -append, or
 * \cmdline.txt on the UEFI ESP): words separated by blanks, some of them
 * key=value. A pure parser with host unit tests and a fuzz target: the line
 * is whatever the boot loader's user typed.
 *
 *   init=<path>   the program to start as PID 1 instead of giving the
 *                 machine to the kernel console (init/main.c)
 *
 * Words without '=' (the kernel's file name, which some loaders put
 * first) and unknown keys are ignored. */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H
#include <stddef.h>

#define CMDLINE_INIT_MAX 128 /* bytes of an init= path, NUL included */

/* The value of the last key=value word with this key: 1 with *val and *len set,
 * or 0 if there is none. */
int cmdline_find(const char *cmdline, const char *key, const char **val, size_t *len);

/* The init= path, validated: absolute, at most CMDLINE_INIT_MAX - 1 bytes,
 * only letters, digits and "/._-+", no "." or ".." component, no "//".
 * 1: out holds it; 0: no init= (or an empty one); -1: refused, *why says why. */
int cmdline_init_path(const char *cmdline, char *out, size_t cap, const char **why);

#endif

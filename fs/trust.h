/* Trusted programs: a program runs only if it comes unmodified from the
 * pinned initrd (its file there is immutable), is built into the kernel, or
 * its SHA-256 is in the trust list that came with the initrd
 * (/etc/secos/trusted.sha256, lib/trustlist.h). Everything else (disks, files
 * written at run time) is refused in `enforce` mode (the default) and only
 * logged in `audit` mode (kernel command line `trust=audit`). Every program
 * checked is measured (fs/measure.h, "exec"). */
#ifndef FS_TRUST_H
#define FS_TRUST_H
#include <stdint.h>

#define TRUST_LIST_PATH "/etc/secos/trusted.sha256"

/* After the initrd is unpacked, before any program: reads the mode from the
 * command line and the list from the initrd; reports bad lines by number. */
void trust_init(const char *cmdline);
/* The exec rule for a program read from a mutable file: img[0..size) are
 * the bytes that will be loaded (hashed here, so what runs is what was
 * checked). 0: may run; -EACCES: refused (logged with path and hash). */
int trust_check_exec(const char *path, const void *img, uint64_t size);
/* "enforce" or "audit", and how many hashes the list holds (the console's info). */
const char *trust_mode(void);
unsigned trust_list_size(void);

#endif

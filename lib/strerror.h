/* One text for every error number in include/secos/errno.h, shared by the
 * kernel, the UEFI loader and user space. Accepts err or -err. Callers that
 * know more (the VFS knows EPERM means an immutable entry) may say more, but
 * fall back to this. */
#ifndef LIB_STRERROR_H
#define LIB_STRERROR_H

const char *secos_strerror(int err);
/* "ENOENT", or "E?" for a number errno.h does not define. */
const char *secos_errno_name(int err);

#endif

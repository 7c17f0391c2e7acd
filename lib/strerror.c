#include "lib/strerror.h"
#include "secos/errno.h"

#define ERRNO_TABLE(X)                                              \
    X(EPERM, "operation not permitted")                             \
    X(ENOENT, "no such file or directory")                          \
    X(ESRCH, "no such process")                                     \
    X(EINTR, "interrupted")                                         \
    X(EIO, "input/output error")                                    \
    X(E2BIG, "argument list too long")                              \
    X(ENOEXEC, "not a valid program")                               \
    X(EBADF, "bad file descriptor")                                 \
    X(ECHILD, "no child process")                                   \
    X(EAGAIN, "resource temporarily unavailable")                   \
    X(ENOMEM, "out of memory")                                      \
    X(EACCES, "permission denied")                                  \
    X(EFAULT, "bad address")                                        \
    X(EBUSY, "busy")                                                \
    X(EEXIST, "already exists")                                     \
    X(EXDEV, "cannot move across filesystems")                      \
    X(ENOTDIR, "not a directory")                                   \
    X(EISDIR, "is a directory")                                     \
    X(EINVAL, "invalid argument")                                   \
    X(EMFILE, "too many open files")                                \
    X(EFBIG, "file too large")                                      \
    X(ENOSPC, "no space left on the filesystem")                    \
    X(ESPIPE, "not seekable")                                       \
    X(EROFS, "read-only filesystem")                                \
    X(ERANGE, "result too large")                                   \
    X(ENAMETOOLONG, "name too long")                                \
    X(ENOSYS, "not supported")                                      \
    X(ENOTEMPTY, "directory not empty")                            \
    X(ENXIO, "no such device or address") \
    X(ENODEV, "no such device") \
    X(ENFILE, "too many open files in the system") \
    X(ENOTTY, "not a terminal") \
    X(ETXTBSY, "text file busy") \
    X(EMLINK, "too many links") \
    X(EPIPE, "broken pipe") \
    X(EDOM, "argument out of domain") \
    X(ELOOP, "too many levels of symbolic links") \
    X(EOVERFLOW, "value too large") \
    X(EPROTO, "protocol error") \
    X(ENOTSOCK, "not a socket") \
    X(EDESTADDRREQ, "destination address required") \
    X(EMSGSIZE, "message too long") \
    X(ENOPROTOOPT, "protocol option not available") \
    X(EPROTONOSUPPORT, "protocol not supported") \
    X(EOPNOTSUPP, "operation not supported") \
    X(EAFNOSUPPORT, "address family not supported") \
    X(EADDRINUSE, "address in use") \
    X(EADDRNOTAVAIL, "address not available") \
    X(ENETDOWN, "network is down") \
    X(ENETUNREACH, "network unreachable") \
    X(ECONNABORTED, "connection aborted") \
    X(ECONNRESET, "connection reset by peer") \
    X(ENOBUFS, "no buffer space") \
    X(EISCONN, "already connected") \
    X(ENOTCONN, "not connected") \
    X(ETIMEDOUT, "timed out") \
    X(ECONNREFUSED, "connection refused") \
    X(EHOSTUNREACH, "host unreachable") \
    X(EALREADY, "operation already in progress") \
    X(EINPROGRESS, "operation in progress")

/* |err| without overflow: -INT_MIN is not an int. */
static unsigned magnitude(int err) { return err < 0 ? 0u - (unsigned)err : (unsigned)err; }

const char *secos_strerror(int err) {
    switch (magnitude(err)) {
    case 0: return "success";
#define ERRNO_TEXT(num, text) case num: return text;
    ERRNO_TABLE(ERRNO_TEXT)
#undef ERRNO_TEXT
    default: return "unknown error";
    }
}

const char *secos_errno_name(int err) {
    switch (magnitude(err)) {
    case 0: return "0";
#define ERRNO_NAME(num, text) case num: return #num;
    ERRNO_TABLE(ERRNO_NAME)
#undef ERRNO_NAME
    default: return "E?";
    }
}

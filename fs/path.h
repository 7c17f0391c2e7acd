/* Path names as pure string work: no filesystem is consulted, so ".." is
 * resolved lexically (there are no symbolic links to make that wrong).
 * A normalised path is absolute, starts with exactly one '/', has no empty,
 * "." or ".." components and no trailing '/' (except "/" itself). */
#ifndef FS_PATH_H
#define FS_PATH_H
#include <stddef.h>
#include "fs/vfs.h"

/* path, absolute or relative to cwd (an absolute path; NULL or "" means "/"),
 * normalised into out. ".." at "/" stays at "/". Returns 0, or
 *   -ENOENT        path is empty
 *   -ENAMETOOLONG  a component is longer than VFS_NAME_MAX, or the result (or
 *                  any intermediate result) is longer than VFS_PATH_MAX
 *   -EINVAL        NULL argument, a relative cwd, or a control byte (< 0x20
 *                  or 0x7f) in a name: names must be safe to print
 *   -ERANGE        out (size bytes) cannot hold the result */
int path_normalize(const char *cwd, const char *path, char *out, size_t size);

/* For a normalised path other than "/": copies the directory part into
 * parent ("/" for "/x") and points *name at the last component inside path.
 * -EINVAL for "/" (no parent), -ERANGE if parent is too small. */
int path_split(const char *path, char *parent, size_t size, const char **name);

/* The last component of a normalised path ("" for "/"). */
const char *path_basename(const char *path);

/* 1 if normalised path equals base or lies below it ("/a/b" is within "/a",
 * "/ab" is not; everything is within "/"), else 0. */
int path_is_within(const char *base, const char *path);

/* dir (normalised) + "/" + name into out. -ENAMETOOLONG past VFS_PATH_MAX,
 * -ERANGE if out is too small. */
int path_join(const char *dir, const char *name, char *out, size_t size);

#endif

/* The trust list: SHA-256 digests of the programs that may run although they
 * do not come unmodified from the pinned initrd. The text is in the format
 * `sha256sum` writes, one program a line:
 *
 *     <64 hex digits><two spaces, or a space and '*'><path>
 *
 * Empty lines and lines starting with '#' are ignored. The parser is pure and
 * strict: each line that does not match is reported with its 1-based number
 * and a reason and skipped, the good lines still apply. Only the digests are
 * kept: the rule is "these bytes may run", wherever the file now lives, so
 * the path serves only as a label for people reading the list. */
#ifndef LIB_TRUSTLIST_H
#define LIB_TRUSTLIST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRUSTLIST_MAX_BYTES   65536u  /* a bigger file is refused whole */
#define TRUSTLIST_MAX_ENTRIES 256u    /* further good lines are reported */
#define TRUSTLIST_MAX_LINE    512u    /* bytes, without the newline */

struct trustlist {
    uint8_t digest[TRUSTLIST_MAX_ENTRIES][32];
    size_t n;
};

/* Called once for each rejected line; why is a static string. */
typedef void (*trustlist_bad_fn)(unsigned line, const char *why, void *ctx);

/* Parses text[0..len) into *out (emptied first). Returns the number of
 * rejected lines, or -1 when len exceeds TRUSTLIST_MAX_BYTES (nothing is
 * parsed then, and bad is called once with line 0). bad may be NULL. */
int trustlist_parse(const char *text, size_t len, struct trustlist *out,
                    trustlist_bad_fn bad, void *ctx);

bool trustlist_contains(const struct trustlist *t, const uint8_t digest[32]);

#endif

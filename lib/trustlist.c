/* Parser of the sha256sum-format trust list (see trustlist.h). */
#include "lib/trustlist.h"
#include "lib/string.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Checks one line (no newline) and fills digest; NULL when it is good,
 * else the reason. */
static const char *parse_line(const char *s, size_t n, uint8_t digest[32])
{
    if (n > TRUSTLIST_MAX_LINE) return "line too long";
    if (n < 64 + 3) return "expected '<64 hex digits>  <path>'";
    for (size_t i = 0; i < 32; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return "bad hex digit in the digest";
        digest[i] = (uint8_t)(hi << 4 | lo);
    }
    if (s[64] != ' ' || (s[65] != ' ' && s[65] != '*'))
        return "expected two spaces (or ' *') after the digest";
    /* The path: non-empty, printable ASCII or UTF-8 bytes, no controls; a
     * list with a CR or a control character was not written by sha256sum. */
    for (size_t i = 66; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) return "control character in the path";
    }
    return NULL;
}

int trustlist_parse(const char *text, size_t len, struct trustlist *out,
                    trustlist_bad_fn bad, void *ctx)
{
    out->n = 0;
    if (len > TRUSTLIST_MAX_BYTES) {
        if (bad) bad(0, "file too large", ctx);
        return -1;
    }
    int rejected = 0;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        const char *s = text + pos;
        size_t n = end - pos;
        pos = end < len ? end + 1 : end;
        line++;
        if (n == 0 || s[0] == '#') continue;
        uint8_t digest[32];
        const char *why = parse_line(s, n, digest);
        if (!why && out->n >= TRUSTLIST_MAX_ENTRIES) why = "too many entries";
        if (why) {
            rejected++;
            if (bad) bad(line, why, ctx);
            continue;
        }
        memcpy(out->digest[out->n++], digest, 32);
    }
    return rejected;
}

bool trustlist_contains(const struct trustlist *t, const uint8_t digest[32])
{
    for (size_t i = 0; i < t->n; i++)
        if (memcmp(t->digest[i], digest, 32) == 0) return true;
    return false;
}

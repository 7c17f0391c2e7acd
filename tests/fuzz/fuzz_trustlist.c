/* Fuzzes trustlist_parse() (lib/trustlist.c): whatever the input, it never
 * keeps more than TRUSTLIST_MAX_ENTRIES digests, every rejected line is
 * reported with a number within the text, every kept digest is found by
 * trustlist_contains(), and parsing is deterministic. */
#include "tests/fuzz/fuzz.h"
#include "lib/trustlist.h"

struct seen { unsigned lines, calls; };

static void on_bad(unsigned line, const char *why, void *p)
{
    struct seen *s = p;
    CHECK(why && why[0]);
    CHECK(line <= s->lines);
    s->calls++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct trustlist a, b;
    struct seen s = { 1, 0 };
    for (size_t i = 0; i < size; i++) s.lines += data[i] == '\n';
    int r = trustlist_parse((const char *)data, size, &a, on_bad, &s);
    if (r < 0) {
        CHECK(size > TRUSTLIST_MAX_BYTES && a.n == 0 && s.calls == 1);
        return 0;
    }
    CHECK((unsigned)r == s.calls);
    CHECK(a.n <= TRUSTLIST_MAX_ENTRIES);
    for (size_t i = 0; i < a.n; i++) CHECK(trustlist_contains(&a, a.digest[i]));
    CHECK(trustlist_parse((const char *)data, size, &b, NULL, NULL) == r);
    CHECK(b.n == a.n && memcmp(a.digest, b.digest, a.n * 32) == 0);
    return 0;
}

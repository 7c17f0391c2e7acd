/* Fuzzes the pinned loader's rules (uefi/pin_rules.c): the \cmdline.txt
 * allow-list on arbitrary bytes, and the hash comparison on the first 64
 * bytes as expected/actual. Invariants: messages stay inside their buffer
 * and NUL-terminated; a refused line really holds a word that does not
 * start with "init="; equal hashes compare equal, unequal ones name both. */
#include "tests/fuzz/fuzz.h"
#include "uefi/pin_rules.h"

/* Reference: is there a blank-separated word not starting with "init="? */
static int has_bad_word(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i]) {
        while (i < n && s[i] && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t st = i;
        while (i < n && s[i] && s[i] != ' ' && s[i] != '\t')
            i++;
        if (i > st && (i - st < 5 || memcmp(s + st, "init=", 5) != 0))
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[PIN_MSG_MAX];
    char small[17];

    int r = pin_cmdline_allowed((const char *)data, size, msg, sizeof msg);
    CHECK(r == 0 || r == -1);
    CHECK(memchr(msg, 0, sizeof msg) != NULL);
    CHECK(r == -has_bad_word((const char *)data, size));
    CHECK(r == 0 ? msg[0] == 0 : strstr(msg, "refused") != NULL);
    r = pin_cmdline_allowed((const char *)data, size, small, sizeof small);
    CHECK(memchr(small, 0, sizeof small) != NULL);

    if (size >= 2 * PIN_SHA256_LEN) {
        const uint8_t *e = data, *a = data + PIN_SHA256_LEN;
        r = pin_compare("\\kernel.elf", e, a, msg, sizeof msg);
        CHECK(r == (memcmp(e, a, PIN_SHA256_LEN) ? -1 : 0));
        CHECK(memchr(msg, 0, sizeof msg) != NULL);
        if (r)
            CHECK(strlen(msg) == strlen("[UEFI] PIN MISMATCH \\kernel.elf expected  actual ") + 128);
        CHECK(pin_compare("\\initrd.cpio", e, NULL, small, sizeof small) == -1);
        CHECK(strlen(small) == sizeof small - 1);
    }
    return 0;
}

/* Pinned-loader rules: hash comparison and the \cmdline.txt allow-list.
 * See pin_rules.h. No firmware calls, no libc: built into BOOTX64.EFI and
 * into host tests as is. */
#include "uefi/pin_rules.h"

/* Options a pinned loader passes on from the unsigned \cmdline.txt. Each
 * must be harmless to an attacker who can write the ESP: init= only picks
 * a program from the pinned initrd. trust= (or anything that weakens a
 * check) must never be here, or the ESP would decide what is trusted. */
static const char *const allowed_keys[] = { "init=" };

struct msgbuf {
    char *p;
    size_t cap, len;
};

static void put_ch(struct msgbuf *m, char c)
{
    if (m->cap && m->len + 1 < m->cap)
        m->p[m->len++] = c;
    if (m->cap)
        m->p[m->len] = 0;
}

static void put_str(struct msgbuf *m, const char *s)
{
    while (*s)
        put_ch(m, *s++);
}

static void put_hex(struct msgbuf *m, const uint8_t *h)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < PIN_SHA256_LEN; i++) {
        put_ch(m, digits[h[i] >> 4]);
        put_ch(m, digits[h[i] & 15]);
    }
}

int pin_compare(const char *file, const uint8_t expected[PIN_SHA256_LEN],
                const uint8_t *actual, char *msg, size_t cap)
{
    struct msgbuf m = { msg, cap, 0 };
    uint8_t diff = 0;

    if (cap)
        msg[0] = 0;
    if (actual) {
        for (int i = 0; i < PIN_SHA256_LEN; i++)
            diff |= expected[i] ^ actual[i];
        if (!diff)
            return 0;
    }
    put_str(&m, "[UEFI] PIN MISMATCH ");
    put_str(&m, file);
    put_str(&m, " expected ");
    put_hex(&m, expected);
    put_str(&m, " actual ");
    if (actual)
        put_hex(&m, actual);
    else
        put_str(&m, "missing");
    return -1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int word_allowed(const char *w, size_t n)
{
    for (size_t k = 0; k < sizeof(allowed_keys) / sizeof(allowed_keys[0]); k++) {
        const char *key = allowed_keys[k];
        size_t i = 0;
        while (key[i] && i < n && w[i] == key[i])
            i++;
        if (!key[i])
            return 1;
    }
    return 0;
}

int pin_cmdline_allowed(const char *cmdline, size_t len, char *msg, size_t cap)
{
    struct msgbuf m = { msg, cap, 0 };
    size_t i = 0;

    if (cap)
        msg[0] = 0;
    while (i < len && cmdline[i]) {
        while (i < len && cmdline[i] && is_blank(cmdline[i]))
            i++;
        size_t start = i;
        while (i < len && cmdline[i] && !is_blank(cmdline[i]))
            i++;
        if (i == start || word_allowed(cmdline + start, i - start))
            continue;
        put_str(&m, "[UEFI] \\cmdline.txt option \"");
        for (size_t j = start; j < i && j - start < 64; j++) {
            char c = cmdline[j];
            put_ch(&m, (c < 0x20 || c > 0x7e) ? '?' : c);
        }
        put_str(&m, "\" refused: a pinned loader accepts only init=");
        return -1;
    }
    return 0;
}

/* cpio newc iterator (fs/cpio.c). Archives are built byte by byte here
 * (and, when the `cpio` tool is installed, also by cpio itself and by
 * tools/mkinitrd.sh); each test then breaks one thing. Built with
 * ASan/UBSan, and every archive under test is copied into a heap block of
 * exactly its size, so a read past the end fails here, not in the kernel.
 */
#include "tests/unit/host_rename.h"
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fs/cpio.h"
#include "lib/string.h"

/* ---- building archives ---------------------------------------------------- */

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR,
       F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

#define MAX_HDRS 32

struct ar {
    uint8_t buf[1 << 16];
    size_t len;
    size_t hdr[MAX_HDRS];   /* offset of each header, in order */
    size_t name_end[MAX_HDRS]; /* offset just past each name's NUL */
    size_t data_end[MAX_HDRS]; /* offset just past each entry's data */
    int n;
};

static void pad4(struct ar *a)
{
    while (a->len & 3)
        a->buf[a->len++] = 0;
}

/* One entry; name is taken as namelen raw bytes (may hold NULs), and
 * namesize in the header is namelen + 1 with a NUL written after it. */
static void add_raw(struct ar *a, const char *name, size_t namelen, uint32_t mode,
                    uint32_t nlink, const void *data, uint32_t size)
{
    char h[CPIO_HEADER_SIZE + 1];
    assert_true(a->n < MAX_HDRS);
    assert_true(a->len + CPIO_HEADER_SIZE + namelen + size + 8 <= sizeof(a->buf));
    snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
             (unsigned)a->n + 1, mode, 0u, 0u, nlink, 0u, size, 0u, 0u, 0u, 0u,
             (unsigned)namelen + 1, 0u);
    a->hdr[a->n] = a->len;
    memcpy(a->buf + a->len, h, CPIO_HEADER_SIZE);
    a->len += CPIO_HEADER_SIZE;
    memcpy(a->buf + a->len, name, namelen);
    a->len += namelen;
    a->buf[a->len++] = 0;
    a->name_end[a->n] = a->len;
    pad4(a);
    if (size)
        memcpy(a->buf + a->len, data, size);
    a->len += size;
    a->data_end[a->n] = a->len;
    pad4(a);
    a->n++;
}

static void add(struct ar *a, const char *name, uint32_t mode, const char *text)
{
    uint32_t fmt = mode & 0170000;
    add_raw(a, name, strlen(name), mode, fmt == 0040000 ? 2 : 1, text,
            text ? (uint32_t)strlen(text) : 0);
}

static void dir(struct ar *a, const char *name) { add(a, name, 0040755, NULL); }
static void file(struct ar *a, const char *name, const char *text) { add(a, name, 0100644, text); }
static void trailer(struct ar *a) { add_raw(a, "TRAILER!!!", 10, 0, 1, NULL, 0); }

/* Overwrites field f of header i with 8 characters (not NUL-terminated). */
static void set_field_str(struct ar *a, int i, int f, const char *eight)
{
    memcpy(a->buf + a->hdr[i] + 6 + 8 * f, eight, 8);
}

static void set_field(struct ar *a, int i, int f, uint32_t v)
{
    char s[9];
    snprintf(s, sizeof(s), "%08X", v);
    set_field_str(a, i, f, s);
}

/* The standard valid archive: root ".", two directories, three files (one
 * empty), trailer. Entries returned: 5 (the root is skipped). */
static void sample(struct ar *a)
{
    memset(a, 0, sizeof(*a));
    dir(a, ".");
    dir(a, "bin");
    file(a, "bin/hello", "\177ELF...hello");
    dir(a, "etc");
    file(a, "etc/motd", "Welcome to SECoS\n");
    file(a, "empty", NULL);
    trailer(a);
}

/* ---- running the iterator --------------------------------------------------- */

#define MAX_ENTS 64

struct result {
    int code;                       /* the final cpio_next result (<= 0) */
    int n;                          /* entries returned (1 or 2 results) */
    struct cpio_entry e[MAX_ENTS];
    int kind[MAX_ENTS];             /* CPIO_ENTRY or CPIO_UNSUPPORTED */
    char text[MAX_ENTS][64];        /* first bytes of each entry's data */
    uint32_t err_index;             /* it.index at the end */
    uint64_t err_off;               /* it.off at the end */
};

static int seen[-CPIO_ERR_LAST + 1];   /* which error codes some test produced */

static void note(int code)
{
    if (code < 0 && code > CPIO_ERR_LAST)
        seen[-code] = 1;
}

/* Iterates a heap copy of exactly len bytes until END or an error. */
static void run_at(const uint8_t *data, size_t len, size_t misalign, struct result *r)
{
    uint8_t *block = malloc(len + misalign ? len + misalign : 1);
    uint8_t *copy = block + misalign;
    struct cpio_iter it;

    assert_non_null(block);
    memset(r, 0, sizeof(*r));
    if (len)
        memcpy(copy, data, len);
    assert_int_equal(cpio_iter_init(&it, copy, len), 0);
    for (;;) {
        int c = cpio_next(&it, &r->e[r->n < MAX_ENTS ? r->n : MAX_ENTS - 1]);
        if (c <= 0) {
            r->code = c;
            break;
        }
        assert_true(c == CPIO_ENTRY || c == CPIO_UNSUPPORTED);
        assert_true(r->n < MAX_ENTS);
        struct cpio_entry *e = &r->e[r->n];
        /* Whatever is returned lies inside the archive. */
        assert_true(e->data >= copy && e->data <= copy + len);
        assert_true(e->size <= (uint64_t)(copy + len - e->data));
        assert_true(strlen(e->name) <= CPIO_NAME_MAX);
        size_t t = e->size < 63 ? e->size : 63;
        memcpy(r->text[r->n], e->data, t);
        r->text[r->n][t] = 0;
        r->kind[r->n++] = c;
    }
    /* Both END and errors are sticky. */
    struct cpio_entry spare;
    assert_int_equal(cpio_next(&it, &spare), r->code);
    assert_int_equal(cpio_next(&it, &spare), r->code);
    r->err_index = it.index;
    r->err_off = it.off;
    note(r->code);
    free(block);
}

static void run(const struct ar *a, struct result *r) { run_at(a->buf, a->len, 0, r); }

static int code_of(const struct ar *a)
{
    static struct result r;
    run(a, &r);
    return r.code;
}

#define assert_code(a, want) do {                                                   \
        int c_ = code_of(a);                                                        \
        if (c_ != (want))                                                           \
            print_error("got %d (%s), want %d (%s)\n", c_, cpio_strerror(c_), (want), \
                        cpio_strerror(want));                                       \
        assert_int_equal(c_, (want));                                               \
    } while (0)

/* A single entry with this name and mode, then the trailer. */
static int one(const char *name, uint32_t mode)
{
    static struct ar a;
    memset(&a, 0, sizeof(a));
    add(&a, name, mode, (mode & 0170000) == 0100000 ? "x" : NULL);
    trailer(&a);
    return code_of(&a);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_valid_archive(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    sample(&a);
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.n, 5);
    const char *names[] = { "bin", "bin/hello", "etc", "etc/motd", "empty" };
    const enum cpio_type types[] = { CPIO_DIR, CPIO_FILE, CPIO_DIR, CPIO_FILE, CPIO_FILE };
    for (int i = 0; i < 5; i++) {
        assert_string_equal(r.e[i].name, names[i]);
        assert_int_equal(r.e[i].type, types[i]);
        assert_int_equal(r.kind[i], CPIO_ENTRY);
        assert_int_equal(r.e[i].index, i + 1);      /* header 0 is the root "." */
        assert_int_equal(r.e[i].offset, a.hdr[i + 1]);
    }
    assert_int_equal(r.e[0].size, 0);
    assert_int_equal(r.e[0].mode, 0040755);
    assert_int_equal(r.e[1].mode, 0100644);
    assert_int_equal(r.e[1].size, 12);
    assert_string_equal(r.text[1], "\177ELF...hello");
    assert_string_equal(r.text[3], "Welcome to SECoS\n");
    assert_int_equal(r.e[4].size, 0);
    assert_int_equal(r.err_off, a.len);   /* stopped right after the trailer */
}

static void test_unaligned_buffer(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    sample(&a);
    for (size_t mis = 1; mis < 4; mis++) {
        run_at(a.buf, a.len, mis, &r);
        assert_int_equal(r.code, CPIO_END);
        assert_int_equal(r.n, 5);
        assert_string_equal(r.text[3], "Welcome to SECoS\n");
    }
}

static void test_names_normalised(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    memset(&a, 0, sizeof(a));
    dir(&a, "./");
    dir(&a, "./bin/");
    file(&a, "./bin//x", "1");
    file(&a, "././a/./b", "2");
    file(&a, "c//d///e", "3");
    file(&a, "..a", "4");
    file(&a, "a..", "5");
    file(&a, "a/...", "6");
    file(&a, "a/.b/c.", "7");
    file(&a, "caf\xc3\xa9", "8");   /* UTF-8 is fine */
    trailer(&a);
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    const char *want[] = { "bin", "bin/x", "a/b", "c/d/e", "..a", "a..", "a/...", "a/.b/c.",
                           "caf\xc3\xa9" };
    assert_int_equal(r.n, 9);
    for (int i = 0; i < 9; i++)
        assert_string_equal(r.e[i].name, want[i]);
}

static void test_root_entries_skipped(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    memset(&a, 0, sizeof(a));
    dir(&a, ".");
    dir(&a, "./");
    dir(&a, "./.");
    trailer(&a);
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.n, 0);
    /* Only a directory may be the root. */
    assert_int_equal(one(".", 0100644), CPIO_ERR_NAME_EMPTY);
    assert_int_equal(one("./", 0100644), CPIO_ERR_NAME_EMPTY);
    assert_int_equal(one(".//.", 0120777), CPIO_ERR_NAME_EMPTY);
}

static void test_escapes_refused(void **state)
{
    (void)state;
    const char *abs[] = { "/etc/passwd", "/", "//x", "/bin/" };
    const char *dotdot[] = { "..", "../x", "a/..", "a/../b", "./../x", "a/b/../../../x", "a//../x",
                             "bin/../../../etc/shadow" };
    for (size_t i = 0; i < sizeof(abs) / sizeof(abs[0]); i++) {
        assert_int_equal(one(abs[i], 0100644), CPIO_ERR_NAME_ABS);
        assert_int_equal(one(abs[i], 0040755), CPIO_ERR_NAME_ABS);
    }
    for (size_t i = 0; i < sizeof(dotdot) / sizeof(dotdot[0]); i++) {
        assert_int_equal(one(dotdot[i], 0100644), CPIO_ERR_NAME_DOTDOT);
        assert_int_equal(one(dotdot[i], 0040755), CPIO_ERR_NAME_DOTDOT);
        assert_int_equal(one(dotdot[i], 0120777), CPIO_ERR_NAME_DOTDOT); /* checked before skipping */
    }
    note(CPIO_ERR_NAME_ABS);
    note(CPIO_ERR_NAME_DOTDOT);
    note(CPIO_ERR_NAME_EMPTY);
}

static void test_bad_magic(void **state)
{
    (void)state;
    static struct ar a;
    const char *bad[] = { "070702", "070707", "07070X", "000000", "170701", "\0\0\0\0\0\0" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sample(&a);
        memcpy(a.buf, bad[i], 6);
        assert_code(&a, CPIO_ERR_MAGIC);
        /* Also in a later header. */
        sample(&a);
        memcpy(a.buf + a.hdr[2], bad[i], 6);
        assert_code(&a, CPIO_ERR_MAGIC);
    }
    /* Not an archive at all. */
    memset(&a, 0, sizeof(a));
    a.len = 512;
    assert_code(&a, CPIO_ERR_MAGIC);
}

static void test_hex_fields(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    /* Every position of every field, with several non-hex characters. */
    const char bad[] = { 'g', 'G', 'x', ' ', '-', '+', '\0', '\xff' };
    for (int f = 0; f <= F_CHECK; f++)
        for (int pos = 0; pos < 8; pos++)
            for (size_t b = 0; b < sizeof(bad); b++) {
                sample(&a);
                a.buf[a.hdr[1] + 6 + 8 * f + pos] = (uint8_t)bad[b];
                run(&a, &r);
                assert_int_equal(r.code, CPIO_ERR_HEX);
                assert_int_equal(r.n, 0);
                assert_int_equal(r.err_index, 1);
                assert_int_equal(r.err_off, a.hdr[1]);
            }
    /* Lower case is hex too. */
    sample(&a);
    set_field_str(&a, 2, F_MODE, "000081a4");
    set_field_str(&a, 2, F_MTIME, "deadbeef");
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.e[1].mode, 0100644);
}

static void test_namesize(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    char name[300];

    sample(&a);
    set_field(&a, 1, F_NAMESIZE, 0);
    assert_code(&a, CPIO_ERR_NAMESIZE);
    set_field(&a, 1, F_NAMESIZE, 1);
    assert_code(&a, CPIO_ERR_NAMESIZE);
    set_field(&a, 1, F_NAMESIZE, 0xffffffffu);
    assert_code(&a, CPIO_ERR_NAME_LONG);
    set_field(&a, 1, F_NAMESIZE, 0x80000000u);
    assert_code(&a, CPIO_ERR_NAME_LONG);

    /* 255 bytes is the limit; 256 is refused (by length, not by position). */
    memset(name, 'n', sizeof(name));
    memset(&a, 0, sizeof(a));
    add_raw(&a, name, 255, 0100644, 1, "x", 1);
    trailer(&a);
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(strlen(r.e[0].name), 255);
    memset(&a, 0, sizeof(a));
    add_raw(&a, name, 256, 0100644, 1, "x", 1);
    trailer(&a);
    assert_code(&a, CPIO_ERR_NAME_LONG);
    /* A long raw name that normalises short is still refused: the limit is on the archive. */
    memset(&a, 0, sizeof(a));
    memcpy(name, "./", 2);
    for (int i = 2; i < 260; i++) name[i] = '/';
    name[260] = 'x';
    add_raw(&a, name, 261, 0100644, 1, "x", 1);
    trailer(&a);
    assert_code(&a, CPIO_ERR_NAME_LONG);

    /* namesize pointing past the end of the archive. */
    sample(&a);
    set_field(&a, a.n - 1, F_NAMESIZE, 200);
    assert_code(&a, CPIO_ERR_TRUNCATED);
}

static void test_name_nul_and_chars(void **state)
{
    (void)state;
    static struct ar a;

    /* namesize one short: the byte at namesize - 1 is the name's last char. */
    sample(&a);
    set_field(&a, 1, F_NAMESIZE, 3);             /* "bin" has namesize 4 */
    assert_code(&a, CPIO_ERR_NAME_NUL);
    /* One long: the NUL is inside, the byte after it is padding (0): still refused. */
    sample(&a);
    set_field(&a, 2, F_NAMESIZE, 11);            /* "bin/hello" has 10 */
    assert_code(&a, CPIO_ERR_NAME_NUL);
    /* An embedded NUL. */
    memset(&a, 0, sizeof(a));
    add_raw(&a, "bin\0evil", 8, 0100644, 1, "x", 1);
    trailer(&a);
    assert_code(&a, CPIO_ERR_NAME_NUL);

    const char *ctl[] = { "a\nb", "\x1b[2Jx", "tab\there", "del\x7f", "\x01" };
    for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
        assert_int_equal(one(ctl[i], 0100644), CPIO_ERR_NAME_CHAR);
        assert_int_equal(one(ctl[i], 0040755), CPIO_ERR_NAME_CHAR);
    }
    note(CPIO_ERR_NAME_CHAR);
}

static void test_filesize(void **state)
{
    (void)state;
    static struct ar a;
    sample(&a);
    set_field(&a, 2, F_FILESIZE, 0xffffffffu);
    assert_code(&a, CPIO_ERR_FILESIZE);
    sample(&a);
    set_field(&a, 2, F_FILESIZE, 0x80000000u);
    assert_code(&a, CPIO_ERR_FILESIZE);
    /* Exactly one byte too many for the archive. */
    sample(&a);
    set_field(&a, 5, F_FILESIZE, (uint32_t)(a.len - a.name_end[5] + 1));
    assert_code(&a, CPIO_ERR_FILESIZE);
    /* Data that ends exactly at the end of the archive, with no room for its
     * padding and no trailer. */
    memset(&a, 0, sizeof(a));
    file(&a, "f", "abc");
    a.len = a.data_end[0];
    assert_code(&a, CPIO_ERR_TRUNCATED);
}

static void test_padding_must_be_zero(void **state)
{
    (void)state;
    static struct ar a;
    /* "bin" + NUL = 4 bytes: header (110) + 4 = 114 -> 2 padding bytes. */
    sample(&a);
    assert_true(a.name_end[1] % 4 != 0);
    a.buf[a.name_end[1]] = 'X';
    assert_code(&a, CPIO_ERR_PADDING);
    /* "\177ELF...hello" is 12 bytes after a 4-aligned start: no padding, so use motd (17). */
    sample(&a);
    assert_true(a.data_end[4] % 4 != 0);
    a.buf[a.data_end[4] + 2] = 1;
    assert_code(&a, CPIO_ERR_PADDING);
}

static void test_missing_trailer(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    sample(&a);
    a.len = a.hdr[a.n - 1];          /* drop the trailer */
    run(&a, &r);
    assert_int_equal(r.code, CPIO_ERR_TRUNCATED);
    assert_int_equal(r.n, 5);        /* everything before the cut was returned */
    /* An empty archive is a truncated one too. */
    memset(&a, 0, sizeof(a));
    assert_code(&a, CPIO_ERR_TRUNCATED);
    /* So is one whose trailer is misspelt (it then needs more headers). */
    memset(&a, 0, sizeof(a));
    file(&a, "f", "x");
    add_raw(&a, "TRAILER!!", 9, 0, 1, NULL, 0);
    assert_code(&a, CPIO_ERR_TRUNCATED);
}

/* Cut the sample archive at every length: never a silent END, never a read
 * past the cut (ASan watches the exact-size copy). */
static void test_every_truncation(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    sample(&a);
    for (size_t len = 0; len < a.len; len++) {
        run_at(a.buf, len, 0, &r);
        if (r.code >= 0)
            print_error("cut at %zu of %zu: got %d\n", len, a.len, r.code);
        assert_true(r.code == CPIO_ERR_TRUNCATED || r.code == CPIO_ERR_FILESIZE);
        assert_true(r.n <= 5);
    }
    run_at(a.buf, a.len, 0, &r);
    assert_int_equal(r.code, CPIO_END);
}

static void test_bytes_after_trailer_ignored(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    sample(&a);
    memset(a.buf + a.len, 0, 512);          /* cpio's block padding */
    memcpy(a.buf + a.len + 512, "garbage, even a 070701", 22);
    a.len += 600;
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.n, 5);
}

static void test_directories_and_empty_files(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    memset(&a, 0, sizeof(a));
    dir(&a, "a");
    dir(&a, "a/b");
    dir(&a, "a/b/c");
    file(&a, "a/b/c/empty", NULL);
    file(&a, "e", NULL);
    add_raw(&a, "x", 1, 0040700, 7, NULL, 0);   /* nlink > 1 is fine for directories */
    trailer(&a);
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.n, 6);
    assert_int_equal(r.e[3].type, CPIO_FILE);
    assert_int_equal(r.e[3].size, 0);
    assert_int_equal(r.e[5].type, CPIO_DIR);
    /* A directory carrying data is refused. */
    memset(&a, 0, sizeof(a));
    add_raw(&a, "d", 1, 0040755, 2, "data", 4);
    trailer(&a);
    assert_code(&a, CPIO_ERR_DIR_SIZE);
}

/* Entry i gets inode number ino (add_raw numbers them 1, 2, ...). */
static void set_ino(struct ar *a, int i, uint32_t ino)
{
    char f[9];
    snprintf(f, sizeof(f), "%08X", ino);
    memcpy(a->buf + a->hdr[i] + 6, f, 8);
}

/* GNU cpio's newc hard links: one entry per name, same inode number, the
 * data only with the last. Each is returned with ino and nlink so the
 * caller can group them. */
static void test_hardlinks_returned(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    memset(&a, 0, sizeof(a));
    add_raw(&a, "first", 5, 0100755, 3, NULL, 0);
    add_raw(&a, "second", 6, 0100755, 3, NULL, 0);
    add_raw(&a, "last", 4, 0100755, 3, "data", 4);
    add_raw(&a, "alone", 5, 0100644, 1, "x", 1);
    set_ino(&a, 0, 42);
    set_ino(&a, 1, 42);
    set_ino(&a, 2, 42);
    trailer(&a);
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.n, 4);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r.e[i].type, CPIO_FILE);
        assert_int_equal(r.e[i].ino, 42);
        assert_int_equal(r.e[i].nlink, 3);
        assert_int_equal(r.e[i].size, i == 2 ? 4 : 0);
    }
    assert_memory_equal(r.e[2].data, "data", 4);
    assert_int_equal(r.e[3].nlink, 1);
    assert_int_equal(r.e[3].ino, 4);
}

static void test_unsupported_types(void **state)
{
    (void)state;
    static struct ar a;
    static struct result r;
    const uint32_t modes[] = { 0120777, 0020644, 0060660, 0010644, 0140755, 0000644 };
    const int n = sizeof(modes) / sizeof(modes[0]);
    memset(&a, 0, sizeof(a));
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof(name), "odd%d", i);
        add_raw(&a, name, strlen(name), modes[i], 1, i == 0 ? "target" : NULL, i == 0 ? 6 : 0);
    }
    file(&a, "after", "still read");
    trailer(&a);
    run(&a, &r);
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.n, n + 1);
    for (int i = 0; i < n; i++) {
        assert_int_equal(r.kind[i], CPIO_UNSUPPORTED);
        assert_int_equal(r.e[i].type, CPIO_OTHER);
        assert_int_equal(r.e[i].mode, modes[i]);
    }
    assert_string_equal(r.e[0].name, "odd0");
    assert_string_equal(r.text[0], "target");
    assert_int_equal(r.kind[n], CPIO_ENTRY);
    assert_string_equal(r.text[n], "still read");
}

static void test_error_is_sticky(void **state)
{
    (void)state;
    static struct ar a;
    struct cpio_iter it;
    struct cpio_entry e;
    sample(&a);
    memcpy(a.buf + a.hdr[3], "XXXXXX", 6);
    assert_int_equal(cpio_iter_init(&it, a.buf, a.len), 0);
    assert_int_equal(cpio_next(&it, &e), CPIO_ENTRY);   /* bin */
    assert_int_equal(cpio_next(&it, &e), CPIO_ENTRY);   /* bin/hello */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cpio_next(&it, &e), CPIO_ERR_MAGIC);
        assert_int_equal(it.index, 3);
        assert_int_equal(it.off, a.hdr[3]);
    }
    /* Repairing the bytes does not revive the iterator. */
    memcpy(a.buf + a.hdr[3], "070701", 6);
    assert_int_equal(cpio_next(&it, &e), CPIO_ERR_MAGIC);
}

static void test_null_args(void **state)
{
    (void)state;
    static struct ar a;
    struct cpio_iter it;
    struct cpio_entry e;
    assert_int_equal(cpio_iter_init(NULL, "x", 1), CPIO_ERR_ARGS);
    assert_int_equal(cpio_next(NULL, &e), CPIO_ERR_ARGS);
    assert_int_equal(cpio_iter_init(&it, NULL, 5), CPIO_ERR_ARGS);
    assert_int_equal(cpio_next(&it, &e), CPIO_ERR_ARGS);
    assert_int_equal(cpio_iter_init(&it, NULL, 0), 0);
    assert_int_equal(cpio_next(&it, &e), CPIO_ERR_TRUNCATED);
    sample(&a);
    assert_int_equal(cpio_iter_init(&it, a.buf, a.len), 0);
    assert_int_equal(cpio_next(&it, NULL), CPIO_ERR_ARGS);
    note(CPIO_ERR_ARGS);
}

static void test_strerror(void **state)
{
    (void)state;
    const char *unknown = cpio_strerror(-1000);
    assert_string_equal(cpio_strerror(CPIO_ERR_LAST), unknown);
    assert_string_equal(cpio_strerror(INT_MIN), unknown);
    assert_string_equal(cpio_strerror(3), unknown);
    for (int c = CPIO_UNSUPPORTED; c > CPIO_ERR_LAST; c--) {
        const char *m = cpio_strerror(c);
        assert_non_null(m);
        assert_true(strlen(m) > 2);
        assert_true(strcmp(m, unknown) != 0);
        for (int d = c - 1; d > CPIO_ERR_LAST; d--)
            assert_true(strcmp(m, cpio_strerror(d)) != 0);   /* every code its own text */
    }
}

/* Random byte changes: the iterator must neither crash nor read outside the
 * block, and both outcomes must be common. */
static void test_random_mutations(void **state)
{
    (void)state;
    static struct ar a, m;
    static struct result r;
    unsigned seed = 12345, ok = 0, bad = 0;
    sample(&a);
    for (int round = 0; round < 20000; round++) {
        m = a;
        int flips = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 3;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % a.len;
            seed = seed * 1103515245u + 12345u;
            /* Mostly hex digits, so the damage often survives parsing. */
            m.buf[pos] = (seed >> 20) & 1 ? "0123456789abcdef"[(seed >> 8) & 15] : (uint8_t)(seed >> 8);
        }
        seed = seed * 1103515245u + 12345u;
        m.len = (seed >> 16) % 4 ? a.len : (seed >> 4) % (a.len + 1);
        run(&m, &r);
        if (r.code == CPIO_END) ok++; else bad++;
    }
    assert_true(ok > 1000);
    assert_true(bad > 1000);
}

/* ---- archives written by the real tools (skipped without `cpio`) ------------- */

static int have_cpio(void)
{
    return system("command -v cpio >/dev/null 2>&1") == 0;
}

/* Reads a whole file (or a command's output) into a malloc'd block. */
static uint8_t *slurp(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0, got;
    uint8_t *b = malloc(cap);
    assert_non_null(b);
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            b = realloc(b, cap *= 2);
            assert_non_null(b);
        }
    }
    *len = n;
    return b;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_archive_from_cpio_tool(void **state)
{
    (void)state;
    static struct result r;
    char tmp[] = "/tmp/secos-cpio-XXXXXX", path[256], cmd[512];
    if (!have_cpio())
        skip();
    assert_non_null(mkdtemp(tmp));
    snprintf(path, sizeof(path), "%s/bin", tmp);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/bin/hello", tmp);
    write_file(path, "hello program");
    snprintf(path, sizeof(path), "%s/empty", tmp);
    write_file(path, "");
    snprintf(path, sizeof(path), "%s/link", tmp);
    assert_int_equal(symlink("bin/hello", path), 0);
    /* `find .` gives "./"-prefixed names and the "." root itself. */
    snprintf(cmd, sizeof(cmd), "cd %s && find . | LC_ALL=C sort | cpio -o -H newc --quiet", tmp);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t len;
    uint8_t *data = slurp(p, &len);
    assert_int_equal(pclose(p), 0);
    run_at(data, len, 0, &r);
    free(data);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    assert_int_equal(system(cmd), 0);

    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.e[0].name, "bin");
    assert_int_equal(r.e[0].type, CPIO_DIR);
    assert_string_equal(r.e[1].name, "bin/hello");
    assert_string_equal(r.text[1], "hello program");
    assert_string_equal(r.e[2].name, "empty");
    assert_int_equal(r.e[2].size, 0);
    assert_string_equal(r.e[3].name, "link");
    assert_int_equal(r.kind[3], CPIO_UNSUPPORTED);
}

static void test_archive_from_mkinitrd(void **state)
{
    (void)state;
    static struct result r;
    char tmp[] = "/tmp/secos-initrd-XXXXXX", path[256], cmd[1024];
    if (!have_cpio() || access("tools/mkinitrd.sh", X_OK) != 0)
        skip();   /* make unit runs from the repository root */
    assert_non_null(mkdtemp(tmp));
    snprintf(path, sizeof(path), "%s/prog.elf", tmp);
    write_file(path, "\177ELF prog");
    snprintf(path, sizeof(path), "%s/stage", tmp);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/stage/README", tmp);
    write_file(path, "staged");
    snprintf(cmd, sizeof(cmd),
             "MOTD='test motd' tools/mkinitrd.sh %s/out.cpio %s/prog.elf %s/stage >/dev/null", tmp,
             tmp, tmp);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/out.cpio", tmp);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t len;
    uint8_t *data = slurp(f, &len);
    fclose(f);
    run_at(data, len, 0, &r);
    free(data);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    assert_int_equal(system(cmd), 0);

    /* Sorted (C locale): README, bin, bin/prog, etc, etc/motd. */
    assert_int_equal(r.code, CPIO_END);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.e[0].name, "README");
    assert_string_equal(r.text[0], "staged");
    assert_string_equal(r.e[1].name, "bin");
    assert_string_equal(r.e[2].name, "bin/prog");
    assert_int_equal(r.e[2].mode, 0100755);
    assert_string_equal(r.text[2], "\177ELF prog");
    assert_string_equal(r.e[3].name, "etc");
    assert_int_equal(r.e[3].mode, 0040755);
    assert_string_equal(r.e[4].name, "etc/motd");
    assert_int_equal(r.e[4].mode, 0100644);
    assert_string_equal(r.text[4], "test motd\n");
}

/* Last: every error code was produced by at least one test above. */
static void test_every_code_covered(void **state)
{
    (void)state;
    for (int c = -1; c > CPIO_ERR_LAST; c--) {
        if (!seen[-c])
            print_error("no test produced %d (%s)\n", c, cpio_strerror(c));
        assert_true(seen[-c]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_archive),
        cmocka_unit_test(test_unaligned_buffer),
        cmocka_unit_test(test_names_normalised),
        cmocka_unit_test(test_root_entries_skipped),
        cmocka_unit_test(test_escapes_refused),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_hex_fields),
        cmocka_unit_test(test_namesize),
        cmocka_unit_test(test_name_nul_and_chars),
        cmocka_unit_test(test_filesize),
        cmocka_unit_test(test_padding_must_be_zero),
        cmocka_unit_test(test_missing_trailer),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_bytes_after_trailer_ignored),
        cmocka_unit_test(test_directories_and_empty_files),
        cmocka_unit_test(test_hardlinks_returned),
        cmocka_unit_test(test_unsupported_types),
        cmocka_unit_test(test_error_is_sticky),
        cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_random_mutations),
        cmocka_unit_test(test_archive_from_cpio_tool),
        cmocka_unit_test(test_archive_from_mkinitrd),
        cmocka_unit_test(test_every_code_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

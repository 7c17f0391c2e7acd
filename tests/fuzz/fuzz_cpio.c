/* Fuzzes the initrd parser (fs/cpio.c): iterates a whole archive with
 * cpio_iter_init()/cpio_next(). Every entry handed out must have a clean
 * relative name (nothing can land outside the unpack directory) and data
 * inside the archive. */
#include "tests/fuzz/fuzz.h"
#include "fs/cpio.h"

#define S_IFMT  0170000u
#define S_IFDIR 0040000u
#define S_IFREG 0100000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpio_iter it;
    struct cpio_entry e;
    uint64_t next_min = 0; /* entries come in archive order, each >= one header */
    uint32_t n = 0;
    int r;

    CHECK(cpio_iter_init(&it, data, size) == 0);
    while ((r = cpio_next(&it, &e)) == CPIO_ENTRY || r == CPIO_UNSUPPORTED) {
        CHECK(e.offset >= next_min && e.index >= n);
        next_min = e.offset + CPIO_HEADER_SIZE;
        n = e.index + 1;
        /* Name: relative, normalised, printable; never "..", never empty. */
        CHECK(strlen(e.name) <= CPIO_NAME_MAX);
        CHECK(fuzz_clean_components(e.name, CPIO_NAME_MAX));
        /* Type and data. */
        uint32_t fmt = e.mode & S_IFMT;
        CHECK(e.type == (fmt == S_IFREG ? CPIO_FILE : fmt == S_IFDIR ? CPIO_DIR : CPIO_OTHER));
        CHECK((r == CPIO_UNSUPPORTED) == (e.type == CPIO_OTHER));
        CHECK(e.type != CPIO_DIR || e.size == 0);
        CHECK(e.data >= data + next_min && e.data <= data + size &&
              e.size <= (uint64_t)(data + size - e.data));
        fuzz_touch(e.data, e.size);
    }
    CHECK(r == CPIO_END || (r < 0 && r > CPIO_ERR_LAST));
    CHECK(cpio_next(&it, &e) == r); /* the end, or the first error, is sticky */
    CHECK(strcmp(cpio_strerror(r), "unknown cpio error") != 0);
    return 0;
}

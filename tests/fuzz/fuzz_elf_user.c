/* Fuzzes elf_user_validate() (kernel/elf_user.c): the user-program ELF
 * checks and the SECOS manifest note. The input is the whole file. An
 * accepted image must be what the loader may trust blindly. */
#include "tests/fuzz/fuzz.h"
#include "kernel/elf_user.h"

#define PAGE ELF_USER_PAGE_SIZE

static uint64_t first_page(const struct elf_user_seg *s) { return s->vaddr / PAGE; }
static uint64_t last_page(const struct elf_user_seg *s) { return (s->vaddr + s->memsz - 1) / PAGE; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct elf_user_image zero;
    struct elf_user_image im;
    int err = elf_user_validate(data, size, &im);

    CHECK(strcmp(elf_user_strerror(err), "unknown ELF validation error") != 0);
    if (err) {
        CHECK(err < 0 && err >= ELF_ERR_LAST);
        CHECK(memcmp(&im, &zero, sizeof im) == 0); /* nothing half-checked leaks out */
        return 0;
    }

    CHECK(im.type == ELF_ET_EXEC || im.type == ELF_ET_DYN);
    CHECK(im.nseg >= 1 && im.nseg <= ELF_USER_MAX_SEGS);
    CHECK(im.vmin % PAGE == 0 && im.vmax % PAGE == 0);
    CHECK(ELF_USER_VADDR_MIN <= im.vmin && im.vmin < im.vmax && im.vmax <= ELF_USER_VADDR_END);
    uint64_t pages = 0;
    int entry_ok = 0;
    for (uint32_t i = 0; i < im.nseg; i++) {
        const struct elf_user_seg *s = &im.seg[i];
        /* Inside the user half, inside the file, never W+X. */
        CHECK(s->memsz > 0 && s->filesz <= s->memsz);
        CHECK(s->vaddr >= ELF_USER_VADDR_MIN && s->vaddr < ELF_USER_VADDR_END &&
              s->memsz <= ELF_USER_VADDR_END - s->vaddr);
        CHECK(s->vaddr >= im.vmin && s->vaddr + s->memsz <= im.vmax);
        CHECK(s->offset <= size && s->filesz <= size - s->offset);
        CHECK((s->flags & ~(uint32_t)(ELF_PF_R | ELF_PF_W | ELF_PF_X)) == 0);
        CHECK(!((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X)));
        CHECK(s->vaddr % PAGE == s->offset % PAGE);
        for (uint32_t j = i + 1; j < im.nseg; j++) /* no page holds two segments */
            CHECK(last_page(s) < first_page(&im.seg[j]) || last_page(&im.seg[j]) < first_page(s));
        if ((s->flags & ELF_PF_X) && im.entry >= s->vaddr && im.entry - s->vaddr < s->filesz)
            entry_ok = 1;
        pages += last_page(s) - first_page(s) + 1;
        fuzz_touch(data + s->offset, s->filesz); /* what the loader copies */
    }
    CHECK(entry_ok);
    CHECK(elf_user_pages(&im) == pages);

    if (im.has_manifest) {
        CHECK(im.manifest.version == SECOS_MANIFEST_VERSION);
        CHECK((im.manifest.flags & ~(uint32_t)MANIFEST_FLAGS_KNOWN) == 0);
        CHECK(im.manifest.entry_hint == 0 || im.manifest.entry_hint == im.entry);
    } else {
        CHECK(memcmp(&im.manifest, &zero.manifest, sizeof im.manifest) == 0);
    }
    return 0;
}

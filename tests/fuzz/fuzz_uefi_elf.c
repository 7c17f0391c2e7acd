/* Fuzzes elf_check_kernel() (uefi/elf_check.c), the UEFI loader's kernel
 * ELF validation, and on acceptance elf_load_segments() into a buffer of
 * exactly the computed size (ASan checks every byte it writes), then the
 * KASLR relocation (uefi/elf_reloc.c) of that buffer: a refusal leaves the
 * image untouched, an acceptance writes only inside it.
 *
 * Images spanning more than LOAD_MAX are checked but not loaded: the loader
 * zeroes the span a byte at a time, and with every byte instrumented, loading
 * spans of up to 64 MiB took the fuzzer from ~100,000 to ~300 executions a
 * second. The invariants checked before the load (every segment inside
 * [vbase, vend), no two overlapping) are what makes a load of any size safe,
 * and they hold for every accepted image. */
#include "tests/fuzz/fuzz.h"
#include "secos/boot_info.h"
#include "uefi/elf_check.h"
#include "uefi/elf_reloc.h"

#define LOAD_MAX (64ULL << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_kernel_layout l;
    const char *why = NULL;

    if (elf_check_kernel(data, size, &l, &why) != 0) {
        CHECK(why && why[0]);
        return 0;
    }
    CHECK(why == NULL);
    CHECK(l.vbase == SECOS_KERNEL_LINK_BASE);
    CHECK(l.vend % ELF_PAGE_SIZE == 0 && l.vend > l.vbase && l.vend - l.vbase <= ELF_KERNEL_MAX_SPAN);
    CHECK(l.nseg >= 1 && l.nseg <= ELF_KERNEL_MAX_SEGS);
    int entry_ok = 0;
    for (uint32_t i = 0; i < l.nseg; i++) {
        const struct elf_kernel_seg *s = &l.seg[i];
        CHECK(s->memsz > 0 && s->filesz <= s->memsz);
        CHECK(s->vaddr >= l.vbase && s->memsz <= l.vend - s->vaddr);
        CHECK(s->offset <= size && s->filesz <= size - s->offset);
        CHECK(!((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X)));
        for (uint32_t j = i + 1; j < l.nseg; j++) /* no byte is placed twice */
            CHECK(s->vaddr + s->memsz <= l.seg[j].vaddr || l.seg[j].vaddr + l.seg[j].memsz <= s->vaddr);
        if ((s->flags & ELF_PF_X) && l.entry >= s->vaddr && l.entry - s->vaddr < s->filesz)
            entry_ok = 1;
    }
    CHECK(entry_ok);

    uint64_t span = l.vend - l.vbase;
    if (span > LOAD_MAX)
        return 0;
    uint8_t *mem = malloc(span);
    CHECK(mem);
    elf_load_segments(data, &l, mem);
    for (uint32_t i = 0; i < l.nseg; i++) {
        const struct elf_kernel_seg *s = &l.seg[i];
        uint8_t *at = mem + (s->vaddr - l.vbase);
        CHECK(memcmp(at, data + s->offset, s->filesz) == 0);
        for (uint64_t b = s->filesz; b < s->memsz; b++) /* bss */
            CHECK(at[b] == 0);
    }
    uint8_t *copy = malloc(span);
    CHECK(copy);
    memcpy(copy, mem, span);
    uint64_t moved = 0;
    if (elf_relocate(data, size, &l, mem, 7 * KASLR_ALIGN, &moved, &why) != 0)
        CHECK(why && memcmp(copy, mem, span) == 0);   /* refused: nothing changed */
    free(copy);
    free(mem);
    return 0;
}

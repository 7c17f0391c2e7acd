/* SECOS_MANIFEST(flags, max_mem): emits the program's security manifest, the
 * PT_NOTE the loader checks (see include/secos/manifest.h). Use it exactly
 * once per program, at file scope:
 *
 *     SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);
 *
 * Note layout (4-aligned, as ELF notes are in practice):
 *   u32 namesz = 6, u32 descsz = 24, u32 type = SECOS_NOTE_TYPE_QSEC,
 *   "SECOS\0" padded to 8 bytes,
 *   struct secos_manifest { u32 version, u32 flags, u64 max_mem, u64 entry_hint = 0 }.
 *
 * Why extended asm inside a dummy function: the flag macros carry C suffixes
 * ((1u << 3)) that the assembler does not understand, and file-scope asm
 * cannot take operands. The "i" operands let the compiler evaluate the C
 * expressions and print plain numbers (%c) into an SHT_NOTE section. The
 * function itself is never called; --gc-sections drops it, KEEP in user.ld
 * keeps the note. */
#ifndef USER_MANIFEST_H
#define USER_MANIFEST_H
#include <secos/manifest.h>

#define SECOS_MANIFEST_DEFAULT_FLAGS                                   \
    (MANIFEST_FLAG_REQUIRE_WX_BLOCK | MANIFEST_FLAG_STACK_GUARD |      \
     MANIFEST_FLAG_NX_DATA | MANIFEST_FLAG_RX_CODE)

#define SECOS_MANIFEST(flags, max_mem)                                          \
    _Static_assert(((flags) & ~MANIFEST_FLAGS_KNOWN) == 0,                      \
                   "unknown manifest flag");                                    \
    __attribute__((used, noinline)) static void secos_manifest_emit(void) {     \
        __asm__ volatile(                                                       \
            ".pushsection .note.secos,\"a\",@note\n\t"                          \
            ".balign 4\n\t"                                                     \
            ".long 6\n\t"                 /* namesz: "SECOS\0" */               \
            ".long 24\n\t"                /* descsz */                          \
            ".long %c0\n\t"               /* type */                            \
            ".asciz \"SECOS\"\n\t"                                              \
            ".balign 4\n\t"               /* name padded to 8 */                \
            ".long %c1\n\t"               /* version */                         \
            ".long %c2\n\t"               /* flags */                           \
            ".quad %c3\n\t"               /* max_mem */                         \
            ".quad 0\n\t"                 /* entry_hint: 0 = any */             \
            ".popsection"                                                       \
            : : "i"(SECOS_NOTE_TYPE_QSEC), "i"(SECOS_MANIFEST_VERSION),        \
                "i"(flags), "i"((unsigned long long)(max_mem)));                \
    }                                                                           \
    _Static_assert(1, "swallow the trailing semicolon")

/* The same with the optional tail: a RAMFS quota for what this program
 * creates (0 = the kernel default; a value above the default is ignored). */
#define SECOS_MANIFEST_FS(flags, max_mem, fs_nodes, fs_kib)                    \
    _Static_assert(((flags) & ~MANIFEST_FLAGS_KNOWN) == 0,                      \
                   "unknown manifest flag");                                    \
    __attribute__((used, noinline)) static void secos_manifest_emit(void) {     \
        __asm__ volatile(                                                       \
            ".pushsection .note.secos,\"a\",@note\n\t"                          \
            ".balign 4\n\t"                                                     \
            ".long 6\n\t"                 /* namesz: "SECOS\0" */               \
            ".long 32\n\t"                /* descsz */                          \
            ".long %c0\n\t"               /* type */                            \
            ".asciz \"SECOS\"\n\t"                                              \
            ".balign 4\n\t"               /* name padded to 8 */                \
            ".long %c1\n\t"               /* version */                         \
            ".long %c2\n\t"               /* flags */                           \
            ".quad %c3\n\t"               /* max_mem */                         \
            ".quad 0\n\t"                 /* entry_hint: 0 = any */             \
            ".long %c4\n\t"               /* max_fs_nodes */                    \
            ".long %c5\n\t"               /* max_fs_kib */                      \
            ".popsection"                                                       \
            : : "i"(SECOS_NOTE_TYPE_QSEC), "i"(SECOS_MANIFEST_VERSION),        \
                "i"(flags), "i"((unsigned long long)(max_mem)),                \
                "i"((unsigned)(fs_nodes)), "i"((unsigned)(fs_kib)));            \
    }                                                                           \
    _Static_assert(1, "swallow the trailing semicolon")

#endif

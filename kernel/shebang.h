/* The "#!" line of an interpreter script (execve of a text file that starts
 * with "#!interpreter [argument]"), as a pure parser with host unit tests and
 * a fuzz target: the line comes from a file anyone may have written.
 *
 * The rules (Linux's, made stricter where Linux's are surprising):
 *  - the line is at most SHEBANG_LINE_MAX bytes, "#!" and the newline
 *    included (Linux's BINPRM_BUF_SIZE); a file that ends first ends the line;
 *  - blanks (space, tab) after "#!" are skipped; the interpreter is the next
 *    run of non-blank bytes and must be an absolute path;
 *  - what follows, trimmed of blanks at both ends, is one optional argument
 *    (spaces inside it are kept, as on Linux);
 *  - a NUL, CR or other control byte in the line refuses the file (a CR
 *    would otherwise become part of the interpreter's name). */
#ifndef KERNEL_SHEBANG_H
#define KERNEL_SHEBANG_H
#include <stddef.h>
#include <stdint.h>

#define SHEBANG_LINE_MAX 256

struct shebang {
    char interp[SHEBANG_LINE_MAX];
    char arg[SHEBANG_LINE_MAX];
    int has_arg;
};

/* 1: a usable #! line (sb filled); 0: the file does not start with "#!";
 * -ENOEXEC: it does, but the line breaks a rule above. */
int shebang_parse(const void *file, uint64_t size, struct shebang *sb);

#endif

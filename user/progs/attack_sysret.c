/* attack_sysret: a system call whose return address is non-canonical.
 *
 * user/attack_top.ld maps one more text page at 0x00007ffffffff000, the last
 * page of the user half. Its code loads a system call number and jumps to
 * its last two bytes, 0x00007ffffffffffe, which hold `syscall` (0f 05), or
 * `int $0x80` (cd 80) in attack_iret. The instruction after it would be at
 * 0x0000800000000000: non-canonical. SYSRET with that rcx raises #GP in ring
 * 0 on Intel CPUs, with the user's rsp already loaded - the classic SYSRET
 * hole; IRETQ faults in ring 0 as well. The kernel must notice and kill the
 * process (reason "non-canonical return address", status 128 + 13) - or
 * refuse to load the program. Anything else is a failure: if the call
 * returned, the fetch at 0x800000000000 would fault with a plain #GP.
 *
 * Started by `attack sysret` / `attack int80-noncanon`, or directly. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

#ifdef ATTACK_TOP_INT80
#define TOP_NAME "attack_iret"
#define TOP_INSN ".byte 0xcd, 0x80\n"      /* int $0x80 */
#else
#define TOP_NAME "attack_sysret"
#define TOP_INSN ".byte 0x0f, 0x05\n"      /* syscall */
#endif

_Static_assert(SYS_getpid == 4, "the top page loads SYS_getpid as the literal 4");

/* .org is relative to the section start, which .balign puts on a page. */
__asm__(".pushsection .attack_top,\"ax\",@progbits\n"
        ".balign 4096\n"
        ".globl attack_top_entry\n"
        "attack_top_entry:\n"
        "    mov $4, %eax\n"                  /* SYS_getpid: harmless if it returned */
        "    jmp 1f\n"
        "    .org 0xffe, 0xcc\n"
        "1:  " TOP_INSN
        ".popsection\n");

int main(void) {
    printf("%s: %s at 0x7ffffffffffe, returning to 0x800000000000\n", TOP_NAME,
#ifdef ATTACK_TOP_INT80
           "int $0x80"
#else
           "syscall"
#endif
    );
    /* movabs: the page is far beyond what a rel32 or a sign-extended imm32 reaches. */
    __asm__ volatile("movabs $attack_top_entry, %%rax\n\t"
                     "jmp *%%rax" : : : "rax", "memory");
    __builtin_unreachable();
}

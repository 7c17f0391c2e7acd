/* The x86-64 Linux signal frame, as arch/x86/kernel/signal.c lays it out:
 * where it goes on the user stack, what it holds, and the checks
 * rt_sigreturn makes before it believes one. A pure module (no kernel state:
 * the caller copies to and from user memory), host-tested
 * (tests/unit/test_sigframe.c) and fuzzed (tests/fuzz/fuzz_sigframe.c).
 *
 *   handler rsp -> pretcode (the SA_RESTORER trampoline: the handler's `ret`)
 *                  struct linux_ucontext (registers, FXSAVE pointer, old mask)
 *                  struct linux_siginfo
 *                  (padding)
 *                  512-byte FXSAVE image, 64-byte aligned
 *                  (padding)
 *                  128-byte red zone of the interrupted code
 *   interrupted rsp
 *
 * At handler entry (rsp + 8) is 16-byte aligned, as after a call. */
#ifndef KERNEL_SIGFRAME_H
#define KERNEL_SIGFRAME_H
#include <stdint.h>
#include "arch/x86_64/trapframe.h"

#define SIGFRAME_RED_ZONE    128
#define SIGFRAME_FXSAVE_SIZE 512
#define SIGFRAME_USER_END    0x0000800000000000ULL /* first non-canonical address */
#define SIGFRAME_USER_CS     (0x20 | 3)
#define SIGFRAME_USER_SS     (0x18 | 3)
#define SIGFRAME_MXCSR_OFF   24 /* in the FXSAVE image */
#define SIGFRAME_MXCSR_MASK_OFF 28

/* RFLAGS bits a frame may set: the arithmetic flags and DF. Never IOPL, NT,
 * TF, AC, VM, RF; IF is always set. */
#define SIGFRAME_RFLAGS_USER 0xcd5ULL
#define SIGFRAME_RFLAGS_FIXED 0x202ULL

#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

struct linux_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;             /* user address of the FXSAVE image, or 0 */
    uint64_t reserved1[8];
};

struct linux_stack { uint64_t ss_sp; int32_t ss_flags; int32_t pad; uint64_t ss_size; };

struct linux_ucontext {
    uint64_t uc_flags, uc_link;
    struct linux_stack uc_stack;
    struct linux_sigcontext uc_mcontext;
    uint64_t uc_sigmask;          /* the kernel's 64-bit sigset */
};

struct linux_siginfo {
    int32_t si_signo, si_errno, si_code, pad;
    union {
        struct { int32_t pid; uint32_t uid; } kill; /* SI_USER, SI_TKILL */
        struct { int32_t pid; uint32_t uid; int32_t status, pad; int64_t utime, stime; } chld; /* SIGCHLD */
        uint64_t addr;                              /* faults: the address */
        uint8_t raw[112];
    } f;
};

struct linux_rt_sigframe {
    uint64_t pretcode;
    struct linux_ucontext uc;
    struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_sigcontext) == 256, "Linux sigcontext is 256 bytes");
_Static_assert(__builtin_offsetof(struct linux_ucontext, uc_mcontext) == 40, "uc_mcontext at 40");
_Static_assert(sizeof(struct linux_ucontext) == 304, "Linux ucontext is 304 bytes");
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo is 128 bytes");
_Static_assert(__builtin_offsetof(struct linux_rt_sigframe, info) == 312, "info after uc");

/* Where a frame for code interrupted at user_rsp goes: 0 with *frame (the
 * handler's rsp) and *fpstate set, or -1 when the stack cannot hold one
 * (user_rsp too low, or not a user address: the caller kills). */
int sigframe_place(uint64_t user_rsp, uint64_t *frame, uint64_t *fpstate);

/* Fills f from the interrupted registers (the FXSAVE image itself is
 * copied by the caller to fpstate). */
void sigframe_fill(struct linux_rt_sigframe *f, const struct trapframe *tf, uint64_t restorer, uint64_t fpstate,
                   uint64_t oldmask, const struct linux_siginfo *info, uint64_t cr2);

/* Points tf at the handler: rip = handler, rsp = frame, rdi = sig, rsi =
 * &info, rdx = &uc, rax = 0, user CS/SS, TF/DF/AC/NT off. */
void sigframe_enter(struct trapframe *tf, uint64_t frame, uint64_t handler, int sig);

/* rt_sigreturn: rewrites tf from uc (user CS/SS forced, RFLAGS masked) and
 * gives the mask to restore in *mask. -1 (tf untouched) when rip or rsp is
 * not a canonical user address: the caller kills with SIGSEGV. */
int sigframe_restore(struct trapframe *tf, const struct linux_ucontext *uc, uint64_t *mask);

/* 1 if FXRSTOR of this image cannot fault: its MXCSR has no bit outside
 * mxcsr_mask (the CPU's, from FXSAVE; 0 there means 0xffbf). */
int sigframe_fx_valid(const uint8_t fx[SIGFRAME_FXSAVE_SIZE], uint32_t mxcsr_mask);

#endif

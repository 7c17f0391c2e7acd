/* The x86-64 signal frame: layout and validation (kernel/sigframe.h). */
#include "kernel/sigframe.h"
#include "lib/string.h"

#define SIG_KILL_STOP ((1ULL << (9 - 1)) | (1ULL << (19 - 1)))
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_NT (1ULL << 14)
#define RFLAGS_RF (1ULL << 16)
#define RFLAGS_AC (1ULL << 18)

int sigframe_place(uint64_t user_rsp, uint64_t *frame, uint64_t *fpstate) {
    const uint64_t need = SIGFRAME_RED_ZONE + SIGFRAME_FXSAVE_SIZE + sizeof(struct linux_rt_sigframe) + 128;
    if (user_rsp >= SIGFRAME_USER_END || user_rsp < need + 4096) return -1;
    uint64_t fp = (user_rsp - SIGFRAME_RED_ZONE - SIGFRAME_FXSAVE_SIZE) & ~63ULL;
    *fpstate = fp;
    *frame = ((fp - sizeof(struct linux_rt_sigframe)) & ~15ULL) - 8;
    return 0;
}

void sigframe_fill(struct linux_rt_sigframe *f, const struct trapframe *tf, uint64_t restorer, uint64_t fpstate,
                   uint64_t oldmask, const struct linux_siginfo *info, uint64_t cr2) {
    memset(f, 0, sizeof *f);
    f->pretcode = restorer;
    f->uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    struct linux_sigcontext *c = &f->uc.uc_mcontext;
    c->r8 = tf->r8; c->r9 = tf->r9; c->r10 = tf->r10; c->r11 = tf->r11;
    c->r12 = tf->r12; c->r13 = tf->r13; c->r14 = tf->r14; c->r15 = tf->r15;
    c->rdi = tf->rdi; c->rsi = tf->rsi; c->rbp = tf->rbp; c->rbx = tf->rbx;
    c->rdx = tf->rdx; c->rax = tf->rax; c->rcx = tf->rcx; c->rsp = tf->rsp;
    c->rip = tf->rip; c->eflags = tf->rflags;
    c->cs = (uint16_t)tf->cs;
    c->ss = (uint16_t)tf->ss;
    c->err = tf->vector < 32 ? tf->error : 0;
    c->trapno = tf->vector < 32 ? tf->vector : 0;
    c->oldmask = oldmask;
    c->cr2 = cr2;
    c->fpstate = fpstate;
    f->uc.uc_sigmask = oldmask;
    f->info = *info;
}

void sigframe_enter(struct trapframe *tf, uint64_t frame, uint64_t handler, int sig) {
    tf->rip = handler;
    tf->rsp = frame;
    tf->rdi = (uint64_t)sig;
    tf->rsi = frame + __builtin_offsetof(struct linux_rt_sigframe, info);
    tf->rdx = frame + __builtin_offsetof(struct linux_rt_sigframe, uc);
    tf->rax = 0;
    tf->cs = SIGFRAME_USER_CS;
    tf->ss = SIGFRAME_USER_SS;
    tf->rflags = (tf->rflags & ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC)) | SIGFRAME_RFLAGS_FIXED;
}

int sigframe_restore(struct trapframe *tf, const struct linux_ucontext *uc, uint64_t *mask) {
    const struct linux_sigcontext *c = &uc->uc_mcontext;
    if (c->rip >= SIGFRAME_USER_END || c->rsp >= SIGFRAME_USER_END) return -1;
    tf->r8 = c->r8; tf->r9 = c->r9; tf->r10 = c->r10; tf->r11 = c->r11;
    tf->r12 = c->r12; tf->r13 = c->r13; tf->r14 = c->r14; tf->r15 = c->r15;
    tf->rdi = c->rdi; tf->rsi = c->rsi; tf->rbp = c->rbp; tf->rbx = c->rbx;
    tf->rdx = c->rdx; tf->rax = c->rax; tf->rcx = c->rcx; tf->rsp = c->rsp;
    tf->rip = c->rip;
    tf->rflags = (c->eflags & SIGFRAME_RFLAGS_USER) | SIGFRAME_RFLAGS_FIXED;
    tf->cs = SIGFRAME_USER_CS;
    tf->ss = SIGFRAME_USER_SS;
    *mask = uc->uc_sigmask & ~SIG_KILL_STOP;
    return 0;
}

int sigframe_fx_valid(const uint8_t fx[SIGFRAME_FXSAVE_SIZE], uint32_t mxcsr_mask) {
    uint32_t mxcsr;
    memcpy(&mxcsr, fx + SIGFRAME_MXCSR_OFF, sizeof mxcsr);
    if (mxcsr_mask == 0) mxcsr_mask = 0xffbf;
    return (mxcsr & ~mxcsr_mask) == 0;
}

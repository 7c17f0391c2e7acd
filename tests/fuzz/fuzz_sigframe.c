/* Fuzzes rt_sigreturn's checks (kernel/sigframe.c). Input: a ucontext as a
 * program could forge it, then an FXSAVE image, then 4 bytes of MXCSR_MASK.
 * Whatever it holds, the restored frame must be safe to IRETQ to: user CS
 * and SS, a canonical user rip and rsp, RFLAGS with IF and without IOPL, NT,
 * TF, AC, VM, RF; the mask never holds SIGKILL or SIGSTOP; an accepted
 * FXSAVE image has no MXCSR bit outside the mask. */
#include "tests/fuzz/fuzz.h"
#include "kernel/sigframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct linux_ucontext uc;
    uint8_t fx[SIGFRAME_FXSAVE_SIZE];
    uint32_t mxcsr_mask = 0;
    memset(&uc, 0, sizeof uc);
    memset(fx, 0, sizeof fx);
    size_t n = size < sizeof uc ? size : sizeof uc;
    memcpy(&uc, data, n);
    if (size > sizeof uc) {
        size_t m = size - sizeof uc < sizeof fx ? size - sizeof uc : sizeof fx;
        memcpy(fx, data + sizeof uc, m);
        if (size >= sizeof uc + sizeof fx + 4) memcpy(&mxcsr_mask, data + sizeof uc + sizeof fx, 4);
    }

    struct trapframe tf, before;
    memset(&tf, 0xa5, sizeof tf);
    before = tf;
    uint64_t mask = 0x77;
    int r = sigframe_restore(&tf, &uc, &mask);
    if (r != 0) {
        CHECK(r == -1 && mask == 0x77 && memcmp(&tf, &before, sizeof tf) == 0);
        CHECK(uc.uc_mcontext.rip >= SIGFRAME_USER_END || uc.uc_mcontext.rsp >= SIGFRAME_USER_END);
    } else {
        CHECK(tf.cs == SIGFRAME_USER_CS && tf.ss == SIGFRAME_USER_SS);
        CHECK(tf.rip < SIGFRAME_USER_END && tf.rsp < SIGFRAME_USER_END);
        CHECK(tf.rip == uc.uc_mcontext.rip && tf.rax == uc.uc_mcontext.rax && tf.r15 == uc.uc_mcontext.r15);
        CHECK((tf.rflags & 0x200) && !(tf.rflags & (0x3000 | 0x4000 | 0x100 | 0x40000 | 0x20000 | 0x10000)));
        CHECK((tf.rflags & ~(SIGFRAME_RFLAGS_USER | SIGFRAME_RFLAGS_FIXED)) == 0);
        CHECK(!(mask & ((1ULL << 8) | (1ULL << 18))));
        CHECK(tf.vector == before.vector && tf.error == before.error);
    }

    uint32_t mxcsr;
    memcpy(&mxcsr, fx + SIGFRAME_MXCSR_OFF, 4);
    uint32_t eff = mxcsr_mask ? mxcsr_mask : 0xffbf;
    CHECK(sigframe_fx_valid(fx, mxcsr_mask) == ((mxcsr & ~eff) == 0));

    /* Placement never lands in the red zone, misaligned or outside the user half. */
    uint64_t frame, fp;
    if (sigframe_place(uc.uc_mcontext.rsp, &frame, &fp) == 0) {
        CHECK(fp + SIGFRAME_FXSAVE_SIZE <= uc.uc_mcontext.rsp - SIGFRAME_RED_ZONE && fp % 64 == 0);
        CHECK((frame + 8) % 16 == 0 && frame + sizeof(struct linux_rt_sigframe) <= fp && frame >= 4096);
        CHECK(uc.uc_mcontext.rsp < SIGFRAME_USER_END);
    }
    return 0;
}

/* The x86-64 signal frame: placement, contents, handler entry and the
 * checks of rt_sigreturn (kernel/sigframe.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "kernel/sigframe.h"

#define RSP 0x7fffffffe123ULL

static struct trapframe sample(void) {
    struct trapframe tf;
    memset(&tf, 0, sizeof tf);
    uint64_t *w = (uint64_t *)&tf;
    for (size_t i = 0; i < sizeof tf / 8; i++) w[i] = 0x1000 + i; /* every register distinct */
    tf.rip = 0x401000;
    tf.rsp = RSP;
    tf.cs = SIGFRAME_USER_CS;
    tf.ss = SIGFRAME_USER_SS;
    tf.rflags = 0x246;
    tf.vector = 14;
    tf.error = 6;
    return tf;
}

static void test_place_below_red_zone_and_aligned(void **state) {
    (void)state;
    for (uint64_t rsp = RSP; rsp < RSP + 64; rsp++) {
        uint64_t frame, fp;
        assert_int_equal(sigframe_place(rsp, &frame, &fp), 0);
        assert_true(fp + SIGFRAME_FXSAVE_SIZE <= rsp - SIGFRAME_RED_ZONE); /* the red zone stays intact */
        assert_int_equal(fp % 64, 0);
        assert_true(frame + sizeof(struct linux_rt_sigframe) <= fp);
        assert_int_equal((frame + 8) % 16, 0); /* as after a call */
        assert_true(rsp - frame < 2048);
    }
}

static void test_place_refuses_bad_stacks(void **state) {
    (void)state;
    uint64_t frame = 1, fp = 1;
    assert_int_equal(sigframe_place(0, &frame, &fp), -1);
    assert_int_equal(sigframe_place(2000, &frame, &fp), -1);
    assert_int_equal(sigframe_place(SIGFRAME_USER_END, &frame, &fp), -1);
    assert_int_equal(sigframe_place(0xffffffff80100000ULL, &frame, &fp), -1);
    assert_int_equal(sigframe_place(~0ULL, &frame, &fp), -1);
}

static void test_fill_and_restore_round_trip(void **state) {
    (void)state;
    struct trapframe tf = sample(), orig = tf;
    struct linux_siginfo info;
    memset(&info, 0, sizeof info);
    info.si_signo = 11;
    info.f.addr = 0xdead;
    struct linux_rt_sigframe f;
    sigframe_fill(&f, &tf, 0x402000, 0x7fffffffd000ULL, 0x5, &info, 0xdead);
    assert_int_equal(f.pretcode, 0x402000);
    assert_int_equal(f.uc.uc_mcontext.rip, 0x401000);
    assert_int_equal(f.uc.uc_mcontext.rsp, RSP);
    assert_int_equal(f.uc.uc_mcontext.r15, orig.r15);
    assert_int_equal(f.uc.uc_mcontext.trapno, 14);
    assert_int_equal(f.uc.uc_mcontext.err, 6);
    assert_int_equal(f.uc.uc_mcontext.cr2, 0xdead);
    assert_int_equal(f.uc.uc_mcontext.oldmask, 5);
    assert_int_equal(f.uc.uc_sigmask, 5);
    assert_int_equal(f.info.si_signo, 11);

    sigframe_enter(&tf, 0x7fffffffc008ULL, 0x403000, 11);
    assert_int_equal(tf.rip, 0x403000);
    assert_int_equal(tf.rdi, 11);
    assert_int_equal(tf.rsi, 0x7fffffffc008ULL + 312);
    assert_int_equal(tf.rdx, 0x7fffffffc008ULL + 8);
    assert_int_equal(tf.rax, 0);

    uint64_t mask = 0;
    assert_int_equal(sigframe_restore(&tf, &f.uc, &mask), 0);
    assert_int_equal(mask, 5);
    orig.rflags = 0x246; /* arithmetic flags and IF kept */
    assert_memory_equal(&tf, &orig, sizeof tf);
}

static void test_restore_forces_selectors_and_flags(void **state) {
    (void)state;
    struct trapframe tf = sample();
    struct linux_rt_sigframe f;
    struct linux_siginfo info;
    memset(&info, 0, sizeof info);
    sigframe_fill(&f, &tf, 0, 0, 0, &info, 0);
    f.uc.uc_mcontext.cs = 0x08;
    f.uc.uc_mcontext.ss = 0x10;
    f.uc.uc_mcontext.eflags = ~0ULL; /* IOPL 3, NT, RF, VM, AC, VIF, VIP, ID, TF, and reserved bits */
    f.uc.uc_sigmask = ~0ULL;
    uint64_t mask;
    assert_int_equal(sigframe_restore(&tf, &f.uc, &mask), 0);
    assert_int_equal(tf.cs, SIGFRAME_USER_CS);
    assert_int_equal(tf.ss, SIGFRAME_USER_SS);
    assert_int_equal(tf.rflags, SIGFRAME_RFLAGS_USER | SIGFRAME_RFLAGS_FIXED);
    assert_int_equal(tf.rflags & (3 << 12), 0);     /* IOPL 0 */
    assert_int_equal(tf.rflags & (1 << 8), 0);      /* TF */
    assert_int_equal(tf.rflags & (1 << 14), 0);     /* NT */
    assert_int_equal(tf.rflags & (1 << 17), 0);     /* VM */
    assert_int_equal(tf.rflags & (1 << 18), 0);     /* AC */
    assert_int_equal(tf.rflags & (1 << 9), 1 << 9); /* IF */
    assert_int_equal(mask, ~((1ULL << 8) | (1ULL << 18))); /* never SIGKILL or SIGSTOP */
}

static void test_restore_refuses_bad_rip_and_rsp(void **state) {
    (void)state;
    const uint64_t bad[] = { SIGFRAME_USER_END, 0x0000800000001000ULL, 0xffff800000000000ULL,
                             0xffffffff80100000ULL, ~0ULL };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int which = 0; which < 2; which++) {
            struct trapframe tf = sample(), orig = tf;
            struct linux_rt_sigframe f;
            struct linux_siginfo info;
            memset(&info, 0, sizeof info);
            sigframe_fill(&f, &tf, 0, 0, 0, &info, 0);
            if (which) f.uc.uc_mcontext.rsp = bad[i];
            else f.uc.uc_mcontext.rip = bad[i];
            uint64_t mask = 7;
            assert_int_equal(sigframe_restore(&tf, &f.uc, &mask), -1);
            assert_memory_equal(&tf, &orig, sizeof tf); /* untouched */
            assert_int_equal(mask, 7);
        }
    }
}

static void test_fx_valid(void **state) {
    (void)state;
    uint8_t fx[SIGFRAME_FXSAVE_SIZE];
    memset(fx, 0, sizeof fx);
    uint32_t mxcsr = 0x1f80;
    memcpy(fx + SIGFRAME_MXCSR_OFF, &mxcsr, 4);
    assert_true(sigframe_fx_valid(fx, 0xffff));
    assert_true(sigframe_fx_valid(fx, 0));            /* 0: the default mask 0xffbf */
    mxcsr = 0x1fc0;                                   /* DAZ */
    memcpy(fx + SIGFRAME_MXCSR_OFF, &mxcsr, 4);
    assert_true(sigframe_fx_valid(fx, 0xffff));
    assert_false(sigframe_fx_valid(fx, 0xffbf));      /* a CPU without DAZ */
    mxcsr = 0x10000 | 0x1f80;                         /* reserved bit 16 */
    memcpy(fx + SIGFRAME_MXCSR_OFF, &mxcsr, 4);
    assert_false(sigframe_fx_valid(fx, 0xffff));
    mxcsr = 0xffffffffu;
    memcpy(fx + SIGFRAME_MXCSR_OFF, &mxcsr, 4);
    assert_false(sigframe_fx_valid(fx, 0xffff));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_below_red_zone_and_aligned),
        cmocka_unit_test(test_place_refuses_bad_stacks),
        cmocka_unit_test(test_fill_and_restore_round_trip),
        cmocka_unit_test(test_restore_forces_selectors_and_flags),
        cmocka_unit_test(test_restore_refuses_bad_rip_and_rsp),
        cmocka_unit_test(test_fx_valid),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}

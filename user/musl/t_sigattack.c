/* t_sigattack <mode>: calls rt_sigreturn on a forged signal frame. Every
 * forgery must be contained: either the kernel repairs what it takes back
 * (user CS/SS forced, RFLAGS masked) and the program lands at its landing
 * function, which prints what it finds, or the process dies with
 * "[KILL] ... reason=bad signal frame" (status 139). The kernel never
 * faults. Modes:
 *   ok                 a well-formed frame (lands)
 *   kernel-cs          CS/SS of the kernel (lands with user CS)
 *   rflags             IOPL 3, NT, AC, TF, VM, RF set (lands with none of them)
 *   rip-noncanonical, rip-kernel, rsp-noncanonical    (killed)
 *   mxcsr              reserved MXCSR bits in the FXSAVE image (killed)
 *   fpstate-unmapped, fpstate-kernel, fpstate-noncanonical (killed)
 *   frame-kernel, frame-unmapped  the frame itself is not user memory (killed) */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct ksigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate, reserved[8];
};
struct kucontext {
    uint64_t flags, link, ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
    struct ksigcontext mc;
    uint64_t sigmask;
};
struct kframe { uint64_t pretcode; struct kucontext uc; };

static unsigned char landing_stack[16384] __attribute__((aligned(16)));
static unsigned char fx[512] __attribute__((aligned(64)));
static struct kframe frame __attribute__((aligned(16)));
static const char *mode;

static void landing(void) {
    uint64_t fl;
    uint16_t cs, ss;
    __asm__ volatile("pushfq; pop %0; mov %%cs, %1; mov %%ss, %2" : "=r"(fl), "=r"(cs), "=r"(ss));
    printf("landed %s cs=%#x ss=%#x iopl=%lu nt=%lu ac=%lu tf=%lu if=%lu r12=%#lx\n", mode, cs, ss, (fl >> 12) & 3,
           (fl >> 14) & 1, (fl >> 18) & 1, (fl >> 8) & 1, (fl >> 9) & 1, frame.uc.mc.r12);
    _exit(0);
}

__attribute__((noreturn)) static void sigreturn_at(uint64_t rsp) {
    __asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2" ::"r"(rsp) : "memory");
    __builtin_unreachable();
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IONBF, 0);
    mode = argc > 1 ? argv[1] : "ok";
    __asm__ volatile("fxsave64 %0" : "=m"(fx));
    memset(&frame, 0, sizeof frame);
    struct ksigcontext *mc = &frame.uc.mc;
    mc->rip = (uint64_t)(uintptr_t)landing;
    mc->rsp = (uint64_t)(uintptr_t)(landing_stack + sizeof landing_stack - 8); /* as after a call */
    mc->eflags = 0x202;
    mc->cs = 0x23;
    mc->ss = 0x1b;
    mc->r12 = 0x1234;
    mc->fpstate = (uint64_t)(uintptr_t)fx;
    uint64_t rsp = (uint64_t)(uintptr_t)&frame.uc; /* rt_sigreturn reads the frame at rsp - 8 */

    if (!strcmp(mode, "ok")) {
    } else if (!strcmp(mode, "kernel-cs")) {
        mc->cs = 0x08;
        mc->ss = 0x10;
    } else if (!strcmp(mode, "rflags")) {
        mc->eflags = 0x3202 | (1 << 14) | (1 << 18) | (1 << 8) | (1 << 17) | (1 << 16);
    } else if (!strcmp(mode, "rip-noncanonical")) {
        mc->rip = 0x0000800000000000ULL;
    } else if (!strcmp(mode, "rip-kernel")) {
        mc->rip = 0xffffffff80100000ULL;
    } else if (!strcmp(mode, "rsp-noncanonical")) {
        mc->rsp = 0x8000000000000000ULL;
    } else if (!strcmp(mode, "mxcsr")) {
        uint32_t bad = 0xffffffffu;
        memcpy(fx + 24, &bad, sizeof bad);
    } else if (!strcmp(mode, "fpstate-unmapped")) {
        mc->fpstate = 0x1000;
    } else if (!strcmp(mode, "fpstate-kernel")) {
        mc->fpstate = 0xffffffff80100000ULL;
    } else if (!strcmp(mode, "fpstate-noncanonical")) {
        mc->fpstate = 0x8000000000000000ULL;
    } else if (!strcmp(mode, "frame-kernel")) {
        rsp = 0xffffffff80100008ULL;
    } else if (!strcmp(mode, "frame-unmapped")) {
        rsp = 0x1008;
    } else {
        printf("t_sigattack: unknown mode %s\n", mode);
        return 2;
    }
    printf("forging %s\n", mode);
    sigreturn_at(rsp);
}

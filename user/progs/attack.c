/* attack <case>: the adversarial suite. Each case is one attempt to break a
 * security promise of the kernel, run as its own process (`run attack <case>`)
 * so that a kill ends only that attempt. The expected outcome is written next
 * to each case in the table below and printed first:
 *
 *     attack: <case> expect=<outcome>
 *
 * Outcomes:
 *   kill:<reason>   the kernel must kill the process; <reason> is how the
 *                   [KILL] line names it: "#GP", "#PF", "#UD", "#DB" (the
 *                   exception mnemonic; the line goes on with its name) or a
 *                   whole reason ("memory limit reached", "non-canonical
 *                   return address"); "a|b" means either (see the table). If
 *                   the attempt survives, the program prints
 *                   "attack: <case> NOT blocked" and exits 1.
 *                   Cases whose victim is a helper ELF ("sysret",
 *                   "int80-noncanon") print "attack: <case> got=<status> ok|FAIL"
 *                   once the helper was killed; a loader that refuses the
 *                   helper outright (-ENOEXEC) is accepted as well.
 *   error:-E<name>  a system call must fail with exactly that error; the
 *                   program prints "attack: <case> got=<ret> ok|FAIL".
 *   return:ok       the hostile call must come back normally with the right
 *                   result and the process must go on ("got=... ok|FAIL").
 *   children:killed every child of a resource attack must be killed, none
 *                   may finish on its own ("got=... ok|FAIL").
 *   umip            sgdt & co: kill:#GP when the CPU has UMIP (the kernel turns
 *                   it on whenever CPUID offers it), else the instruction is
 *                   architecturally allowed in ring 3: expect=allowed:no-UMIP.
 *
 * `attack list` prints every case with its expectation (what the QEMU test
 * compares with its own table). Arguments starting with "--" are the roles of
 * helper children (spawn bomb, chain, memory hogs), not cases.
 *
 * Every attempt is inline asm, so the compiler cannot turn it into something
 * else (a null read into ud2, a dead store away). The asm that pushes first
 * moves rsp below the red zone, which the compiler may be using. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

#define KERNEL_IMAGE  0xffffffff80100000ul   /* kernel .text */
#define PHYSMAP       0xffff800000000000ul   /* physical address 0 */
#define PHYSMAP_1M    0xffff800000100000ul   /* where the kernel image lives physically */
#define KSTACK_REGION 0xffffff8000000000ul   /* kernel stacks and their guard pages */
#define KSTACK_LIVE   0xffffff8000001000ul   /* slot 0 (the main kernel stack), its lowest page */
#define NONCANON      0x0000800000000000ul   /* first non-canonical address */

static const char *self = "attack";          /* argv[0] for the helper children */

/* ---- primitives ---------------------------------------------------------- */

static void read_at(unsigned long addr) {
    unsigned long v;
    __asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
    (void)v;
}

static void write_at(unsigned long addr) {
    __asm__ volatile("movq $0, (%0)" : : "r"(addr) : "memory");
}

/* Jumps (a call, so the kill line shows where it came from on the stack). */
static void exec_at(unsigned long addr) {
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "call *%0\n\t"
                     "add $128, %%rsp" : : "r"(addr) : "memory", "rax", "rcx", "rdx", "rsi", "rdi",
                     "r8", "r9", "r10", "r11", "cc");
}

static void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static int cpu_has_umip(void) {
    unsigned r[4];
    cpuid(0, 0, r);
    if (r[0] < 7) return 0;
    cpuid(7, 0, r);
    return (r[2] >> 2) & 1;   /* CPUID.7.0:ECX[2] */
}

/* ---- privileged instructions: #GP in ring 3 ------------------------------ */

static void c_cli(void) { __asm__ volatile("cli"); }
static void c_sti(void) { __asm__ volatile("sti"); }
static void c_hlt(void) { __asm__ volatile("hlt"); }
static void c_in(void) { unsigned char v; __asm__ volatile("inb $0x80, %0" : "=a"(v)); (void)v; }
static void c_in_dx(void) { unsigned short v; __asm__ volatile("inw %%dx, %0" : "=a"(v) : "d"(0x3f8)); (void)v; }
static void c_out(void) { __asm__ volatile("outb %0, $0x80" : : "a"((unsigned char)0)); }
/* 0x604: QEMU's ACPI PM1a control port, where a poweroff would go. */
static void c_out_dx(void) { __asm__ volatile("outw %0, %%dx" : : "a"((unsigned short)0x2000), "d"(0x604)); }
static void c_lgdt(void) {
    static unsigned char desc[10];
    __asm__ volatile("lgdt (%0)" : : "r"(desc) : "memory");
}
static void c_lidt(void) {
    static unsigned char desc[10];
    __asm__ volatile("lidt (%0)" : : "r"(desc) : "memory");
}
static void c_ltr(void) { __asm__ volatile("ltr %%ax" : : "a"(0x28)); }
static void c_cr0_read(void) { unsigned long v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); (void)v; }
static void c_cr0_write(void) { __asm__ volatile("mov %0, %%cr0" : : "r"(0x80050033ul)); }   /* WP off would be the prize */
static void c_cr3_read(void) { unsigned long v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); (void)v; }
static void c_cr3_write(void) { __asm__ volatile("mov %0, %%cr3" : : "r"(0x1000ul)); }
static void c_cr4_read(void) { unsigned long v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); (void)v; }
static void c_cr4_write(void) { __asm__ volatile("mov %0, %%cr4" : : "r"(0x20ul)); }          /* SMEP/SMAP off */
static void c_rdmsr(void) {                                                                     /* IA32_EFER */
    unsigned lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
    (void)lo; (void)hi;
}
/* IA32_LSTAR: where SYSCALL goes. */
static void c_wrmsr(void) { __asm__ volatile("wrmsr" : : "c"(0xc0000082u), "a"(0x400000u), "d"(0)); }
static void c_invlpg(void) { __asm__ volatile("invlpg (%0)" : : "r"(0x400000ul) : "memory"); }
static void c_swapgs(void) { __asm__ volatile("swapgs"); }
static void c_wbinvd(void) { __asm__ volatile("wbinvd"); }
static void c_invd(void) { __asm__ volatile("invd"); }
static void c_clts(void) { __asm__ volatile("clts"); }
static void c_lmsw(void) { __asm__ volatile("lmsw %%ax" : : "a"(1)); }
static void c_dr7(void) { unsigned long v; __asm__ volatile("mov %%dr7, %0" : "=r"(v)); (void)v; }
static void c_rdpmc(void) { unsigned lo, hi; __asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0)); (void)lo; (void)hi; }
static void c_sysret_user(void) { __asm__ volatile("sysretq"); }
/* POPF cannot raise IOPL in ring 3 (silently ignored); the next port access
 * proves it. */
static void c_iopl_popf(void) {
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "pushfq\n\t"
                     "orq $0x3000, (%%rsp)\n\t"
                     "popfq\n\t"
                     "add $128, %%rsp\n\t"
                     "outb %%al, $0x80" : : "a"(0) : "memory", "cc");
}
/* Neither can IRETQ: a frame with IOPL 3 back to ring 3, then cli. */
static void c_iopl_iret(void) {
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "mov %%rsp, %%rax\n\t"
                     "xor %%ecx, %%ecx\n\t"
                     "mov %%ss, %%cx\n\t"
                     "push %%rcx\n\t"          /* ss */
                     "push %%rax\n\t"          /* rsp */
                     "pushfq\n\t"
                     "orq $0x3000, (%%rsp)\n\t" /* rflags with IOPL 3 */
                     "mov %%cs, %%cx\n\t"
                     "push %%rcx\n\t"          /* cs */
                     "lea 1f(%%rip), %%rcx\n\t"
                     "push %%rcx\n\t"          /* rip */
                     "iretq\n"
                     "1:\n\t"
                     "add $128, %%rsp\n\t"
                     "cli" : : : "rax", "rcx", "memory", "cc");
}

/* ---- UMIP: descriptor-table and machine-status reads ---------------------- */

static unsigned long umip_result;
static void c_sgdt(void) {
    unsigned char d[10];
    __asm__ volatile("sgdt %0" : "=m"(d));
    memcpy(&umip_result, d + 2, 8);
}
static void c_sidt(void) {
    unsigned char d[10];
    __asm__ volatile("sidt %0" : "=m"(d));
    memcpy(&umip_result, d + 2, 8);
}
static void c_sldt(void) { unsigned short v; __asm__ volatile("sldt %0" : "=r"(v)); umip_result = v; }
static void c_smsw(void) { unsigned long v; __asm__ volatile("smsw %0" : "=r"(v)); umip_result = v; }
static void c_str(void) { unsigned short v; __asm__ volatile("str %0" : "=r"(v)); umip_result = v; }

/* ---- memory: the kernel half, own code and data, the null page ----------- */

static void c_kernel_read(void) { read_at(KERNEL_IMAGE); }
static void c_kernel_write(void) { write_at(KERNEL_IMAGE); }
static void c_kernel_exec(void) { exec_at(KERNEL_IMAGE); }
static void c_physmap_read(void) { read_at(PHYSMAP_1M); }
static void c_physmap_write(void) { write_at(PHYSMAP_1M); }
static void c_physmap_exec(void) { exec_at(PHYSMAP_1M); }
static void c_kstack_read(void) { read_at(KSTACK_LIVE); }
static void c_kstack_write(void) { write_at(KSTACK_LIVE); }
static void c_kstack_exec(void) { exec_at(KSTACK_LIVE); }
static void c_kstack_guard(void) { read_at(KSTACK_REGION); }   /* slot 0's guard page */
static void c_noncanon_read(void) { read_at(NONCANON); }
static void c_noncanon_jump(void) { exec_at(0x8000000000000000ul); }

static void victim(void) { }                     /* a byte of our own .text */
static const unsigned char ro_ret[16] = {0xc3};  /* ret, in .rodata */
static unsigned char data_ret[16] = {0xc3};      /* ret, in .data */

static void c_writecode(void) { write_at((unsigned long)victim); }
static void c_writerodata(void) { write_at((unsigned long)ro_ret); }
static void c_execstack(void) {
    unsigned char code[16];
    code[0] = 0xc3;
    __asm__ volatile("" : : "r"(code) : "memory");   /* the store must happen */
    exec_at((unsigned long)code);
}
static void c_execheap(void) {
    unsigned char *p = malloc(64);
    if (!p) { printf("attack: execheap: malloc failed\n"); exit(1); }
    p[0] = 0xc3;
    __asm__ volatile("" : : "r"(p) : "memory");
    exec_at((unsigned long)p);
}
static void c_execdata(void) { exec_at((unsigned long)data_ret); }
static void c_execrodata(void) { exec_at((unsigned long)ro_ret); }
static void c_null_read(void) { read_at(0); }
static void c_null_write(void) { write_at(8); }
static void c_null_call(void) { exec_at(0); }
/* An mmap region read after munmap: the pages must really be gone. */
static void c_use_after_munmap(void) {
    long a = sys_mmap(0, 8192, PROT_READ | PROT_WRITE);
    if (sys_is_err(a)) { printf("attack: use-after-munmap: mmap failed %ld\n", a); exit(1); }
    write_at((unsigned long)a);
    long r = sys_munmap((void *)a, 8192);
    if (r) { printf("attack: use-after-munmap: munmap failed %ld\n", r); exit(1); }
    read_at((unsigned long)a);
}
/* A read-only mapping written to. */
static void c_mmap_ro_write(void) {
    long a = sys_mmap(0, 4096, PROT_READ);
    if (sys_is_err(a)) { printf("attack: mmap-ro-write: mmap failed %ld\n", a); exit(1); }
    read_at((unsigned long)a);
    write_at((unsigned long)a);
}

/* ---- software interrupts other than the syscall gate ---------------------- */

static void c_int3(void) { __asm__ volatile("int3"); }                     /* 0xcc: gate 3 is DPL 0 */
static void c_int_03(void) { __asm__ volatile(".byte 0xcd, 0x03"); }      /* int $3, long form */
static void c_int_02(void) { __asm__ volatile("int $0x02"); }             /* NMI */
static void c_int_08(void) { __asm__ volatile("int $0x08"); }             /* double fault */
static void c_int_0e(void) { __asm__ volatile("int $0x0e"); }             /* a #PF with no error code */
static void c_int_20(void) { __asm__ volatile("int $0x20"); }             /* the timer IRQ */
static void c_int_30(void) { __asm__ volatile("int $0x30"); }             /* past the IRQs: no gate */
static void c_int_81(void) { __asm__ volatile("int $0x81"); }             /* next to the syscall gate */
static void c_int_ff(void) { __asm__ volatile("int $0xff"); }
static void c_icebp(void) { __asm__ volatile(".byte 0xf1"); }            /* INT1: #DB without a DPL check */
static void c_into(void) { __asm__ volatile(".byte 0xce"); }             /* invalid in 64-bit mode */

/* ---- segments, far transfers, return paths -------------------------------- */

static void c_iret_ring0(void) {
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "mov %%rsp, %%rax\n\t"
                     "push $0x10\n\t"          /* ss: kernel data */
                     "push %%rax\n\t"
                     "pushfq\n\t"
                     "push $0x08\n\t"          /* cs: kernel code */
                     "lea 1f(%%rip), %%rcx\n\t"
                     "push %%rcx\n\t"
                     "iretq\n"
                     "1:\n\t"
                     "add $128, %%rsp" : : : "rax", "rcx", "memory", "cc");
}
static void c_farjmp_kernel(void) {
    static struct __attribute__((packed)) { unsigned off; unsigned short sel; } target = { 0x100000, 0x08 };
    __asm__ volatile("ljmpl *(%0)" : : "r"(&target) : "memory");
}
static void c_farjmp_tss(void) {
    static struct __attribute__((packed)) { unsigned off; unsigned short sel; } target = { 0, 0x28 };
    __asm__ volatile("ljmpl *(%0)" : : "r"(&target) : "memory");
}
static void c_loadds_kernel(void) {
    __asm__ volatile("mov %0, %%ds\n\t"
                     "mov $0x1b, %%eax\n\t"
                     "mov %%eax, %%ds" : : "r"(0x10) : "rax", "memory");
}
static void c_loadss_kernel(void) { __asm__ volatile("mov %0, %%ss" : : "r"(0x10) : "memory"); }

/* A system call or interrupt with rsp pointing somewhere hostile: the kernel
 * must run on its own stack and hand the value back untouched. */
static long with_rsp(unsigned long rsp, int int80) {
    long ret;
    if (int80)
        __asm__ volatile("mov %%rsp, %%r12\n\t"
                         "mov %2, %%rsp\n\t"
                         "int $0x80\n\t"
                         "mov %%rsp, %%r13\n\t"
                         "mov %%r12, %%rsp\n\t"
                         "cmp %2, %%r13\n\t"
                         "je 1f\n\t"
                         "mov $-1, %%rax\n"
                         "1:"
                         : "=a"(ret) : "a"((long)SYS_getpid), "r"(rsp) : "r12", "r13", "memory", "cc");
    else
        __asm__ volatile("mov %%rsp, %%r12\n\t"
                         "mov %2, %%rsp\n\t"
                         "syscall\n\t"
                         "mov %%rsp, %%r13\n\t"
                         "mov %%r12, %%rsp\n\t"
                         "cmp %2, %%r13\n\t"
                         "je 1f\n\t"
                         "mov $-1, %%rax\n"
                         "1:"
                         : "=a"(ret) : "a"((long)SYS_getpid), "r"(rsp)
                         : "rcx", "r11", "r12", "r13", "memory", "cc");
    return ret;
}

/* Spins with rsp hostile long enough for timer interrupts and preemption to
 * arrive: the CPU must take them on the kernel stack. */
static long spin_with_rsp(unsigned long rsp) {
    long ok;
    __asm__ volatile("mov %%rsp, %%r12\n\t"
                     "mov %1, %%rsp\n\t"
                     "mov $30000000, %%rcx\n"
                     "1: dec %%rcx\n\t"
                     "jnz 1b\n\t"
                     "mov %%rsp, %%r13\n\t"
                     "mov %%r12, %%rsp\n\t"
                     "xor %%eax, %%eax\n\t"
                     "cmp %1, %%r13\n\t"
                     "sete %%al"
                     : "=&a"(ok) : "r"(rsp) : "rcx", "r12", "r13", "memory", "cc");
    return ok;
}

/* Single-stepping into a system call: the kernel must not take the #DB in
 * ring 0 (SYSCALL's FMASK and the interrupt gate clear TF); the trap lands in
 * ring 3 and kills the process there. */
static void c_tf_syscall(void) {
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "pushfq\n\t"
                     "orq $0x100, (%%rsp)\n\t"
                     "popfq\n\t"
                     "syscall\n\t"
                     "nop\n\t"
                     "add $128, %%rsp" : : "a"((long)SYS_getpid) : "rcx", "r11", "memory", "cc");
}
static void c_tf_int80(void) {
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "pushfq\n\t"
                     "orq $0x100, (%%rsp)\n\t"
                     "popfq\n\t"
                     "int $0x80\n\t"
                     "nop\n\t"
                     "add $128, %%rsp" : : "a"((long)SYS_getpid) : "memory", "cc");
}

/* ---- stack exhaustion ----------------------------------------------------- */

static unsigned long depth;
__attribute__((noinline)) static unsigned long recurse(unsigned long n) {
    volatile unsigned char pad[512];
    pad[0] = (unsigned char)n;
    depth = n;
    if (n == ~0ul) return 0;     /* never: 1 MiB of stack ends long before */
    unsigned long r = recurse(n + 1) + pad[0];
    __asm__ volatile("" : : "r"(pad) : "memory");
    return r;
}
static void c_stackoverflow(void) { recurse(0); }
/* Skips the guard page: 2 MiB below rsp is neither stack nor guard. */
static void c_stackjump(void) {
    __asm__ volatile("mov %%rsp, %%rax\n\t"
                     "sub $0x200000, %%rax\n\t"
                     "movq $0, (%%rax)" : : : "rax", "memory");
}

/* ---- cases with a result instead of a kill -------------------------------- */

static int report(const char *name, long got, int ok) {
    printf("attack: %s got=%ld %s\n", name, got, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}

static int r_badrsp_syscall(const char *n) { long pid = sys_getpid(), r = with_rsp(0x8000000000000000ul, 0); return report(n, r, r == pid); }
static int r_badrsp_int80(const char *n) { long pid = sys_getpid(), r = with_rsp(0x8000000000000000ul, 1); return report(n, r, r == pid); }
static int r_ksp_syscall(const char *n) { long pid = sys_getpid(), r = with_rsp(KERNEL_IMAGE + 0x1000, 0); return report(n, r, r == pid); }
static int r_ksp_int80(const char *n) { long pid = sys_getpid(), r = with_rsp(KERNEL_IMAGE + 0x1000, 1); return report(n, r, r == pid); }
static int r_badrsp_spin(const char *n) { long r = spin_with_rsp(KSTACK_LIVE); return report(n, r, r == 1); }

/* DF and AC set around the call: the kernel must clear them for itself
 * (string ops going backwards; AC would switch SMAP off) and give them back. */
static int r_flags_syscall(const char *n) {
    long ret;
    unsigned long flags_after;
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "pushfq\n\t"
                     "pushfq\n\t"
                     "orq $0x40400, (%%rsp)\n\t"  /* DF | AC */
                     "popfq\n\t"
                     "syscall\n\t"
                     "pushfq\n\t"
                     "popq %%rdx\n\t"
                     "popfq\n\t"
                     "add $128, %%rsp"
                     : "=a"(ret), "=d"(flags_after) : "a"((long)SYS_getpid) : "rcx", "r11", "memory", "cc");
    int ok = ret == sys_getpid() && (flags_after & 0x40400) == 0x40400;
    return report(n, ret, ok);
}
static int r_flags_int80(const char *n) {
    long ret;
    unsigned long flags_after;
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "pushfq\n\t"
                     "pushfq\n\t"
                     "orq $0x40400, (%%rsp)\n\t"
                     "popfq\n\t"
                     "int $0x80\n\t"
                     "pushfq\n\t"
                     "popq %%rdx\n\t"
                     "popfq\n\t"
                     "add $128, %%rsp"
                     : "=a"(ret), "=d"(flags_after) : "a"((long)SYS_getpid) : "memory", "cc");
    int ok = ret == sys_getpid() && (flags_after & 0x40400) == 0x40400;
    return report(n, ret, ok);
}

/* Kernel memory through a system call: write() must not print it. */
static int r_leak_write(const char *n) {
    long r = sys_write(STDOUT_FD, (const void *)KERNEL_IMAGE, 64);
    long r2 = sys_write(STDOUT_FD, (const void *)PHYSMAP_1M, 64);
    return report(n, r, r == -EFAULT && r2 == -EFAULT);
}
/* ... and read() must not overwrite it (fd 0: a valid buffer would block,
 * so this also proves the pointer is checked before the wait). */
static int r_leak_read(const char *n) {
    long r = sys_read(STDIN_FD, (void *)KERNEL_IMAGE, 64);
    return report(n, r, r == -EFAULT);
}
static int r_mmap_exec(const char *n) { long r = sys_mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC); return report(n, r, r == -EPERM); }
static int r_mmap_huge(const char *n) { long r = sys_mmap(0, 1ul << 40, PROT_READ | PROT_WRITE); return report(n, r, r == -ENOMEM); }
static int r_mmap_kernel(const char *n) { long r = sys_mmap((void *)KERNEL_IMAGE, 4096, PROT_READ | PROT_WRITE); return report(n, r, r == -EINVAL); }
static int r_munmap_code(const char *n) {
    long r = sys_munmap((void *)0x400000, 4096);
    long r2 = sys_munmap((void *)((unsigned long)&r & ~0xffful), 4096);   /* our stack */
    return report(n, r, r == -EINVAL && r2 == -EINVAL);
}
static int r_mmap_slots(const char *n) {
    long r, count = 0;
    while (!sys_is_err(r = sys_mmap(0, 4096, PROT_READ | PROT_WRITE)) && count < 10000) count++;
    printf("attack: %s: %ld mappings before the refusal\n", n, count);
    return report(n, r, r == -ENOMEM && count < 10000);
}
static int r_argv_e2big(const char *n) {
    const char *argv[SPAWN_MAX_ARGS + 2];
    for (int i = 0; i <= SPAWN_MAX_ARGS; i++) argv[i] = "x";
    argv[SPAWN_MAX_ARGS + 1] = NULL;
    long r = sys_spawn("true", argv, 0);
    return report(n, r, r == -E2BIG);
}
static int r_arg_long(const char *n) {
    static char big[SPAWN_MAX_ARG_LEN * 4];
    memset(big, 'a', sizeof big - 1);
    const char *argv[] = {"true", big, NULL};
    long r = sys_spawn("true", argv, 0);
    return report(n, r, r == -E2BIG);
}
static int r_path_long(const char *n) {
    static char big[8192];
    memset(big, 'a', sizeof big - 1);
    long r = sys_spawn(big, NULL, 0);
    return report(n, r, r == -ENAMETOOLONG);
}
static int r_wait_nochild(const char *n) { long r = sys_wait(WAIT_ANY, NULL); return report(n, r, r == -ECHILD); }
static int r_wait_self(const char *n) { long r = sys_wait(sys_getpid(), NULL); return report(n, r, r == -ECHILD); }
static int r_wait_parent(const char *n) { long r = sys_wait(1, NULL); return report(n, r, r == -ECHILD); }   /* the shell */
static int r_sleep_huge(const char *n) { long r = sys_sleep(~0ul); return report(n, r, r == -EINVAL); }
static int r_badnr(const char *n) {
    long r = syscall6(0x7fffffff, 0, 0, 0, 0, 0, 0);
    long r2 = int80_6(-1l, 0, 0, 0, 0, 0, 0);
    long r3 = syscall6((long)SYS_COUNT, 0, 0, 0, 0, 0, 0);
    return report(n, r, r == -ENOSYS && r2 == -ENOSYS && r3 == -ENOSYS);
}

/* Personality confusion from the SECoS side: Linux-only numbers (arch_prctl,
 * clone, execve, exit_group, clone3, set_tid_address) mean nothing in the
 * SECoS table, on either entry instruction. */
static int r_abi_linux_nr(const char *n) {
    static const long linux_only[] = { 158, 56, 59, 231, 435, 218, 334 };
    long bad = 0;
    for (unsigned i = 0; i < sizeof linux_only / sizeof linux_only[0]; i++) {
        long r = syscall6(linux_only[i], 0x1002, 0x1000, 0, 0, 0, 0);
        long r2 = int80_6(linux_only[i], 0x1002, 0x1000, 0, 0, 0, 0);
        if (r != -ENOSYS) bad = r;
        if (r2 != -ENOSYS) bad = r2;
    }
    return report(n, bad ? bad : -ENOSYS, bad == 0);
}

/* Descriptors are ints: a 64-bit value whose low 32 bits name an open file
 * must be treated as that descriptor everywhere or refused everywhere - never
 * checked as one and used as another (an index far outside the table). */
static int r_close_highfd(const char *n) {
    long fd = sys_open("/VERSION", O_RDONLY);
    if (fd < 0) return report(n, fd, 0);
    long r = syscall6(SYS_close, fd + 0x100000000l, 0, 0, 0, 0, 0);
    /* Either refused (and fd still open) or fd closed (as read, write and
     * lseek would take it): both consistent. */
    long again = sys_close((int)fd);
    int ok = (r == -EBADF && again == 0) || (r == 0 && again == -EBADF);
    printf("attack: %s: close(%#lx) = %ld, then close(%ld) = %ld\n", n, fd + 0x100000000l, r, fd, again);
    return report(n, r, ok);
}

/* ---- process and memory bombs --------------------------------------------- */

/* Spawns sleepers until the kernel refuses, then reaps them all. */
static int r_spawnbomb(const char *n) {
    const char *argv[] = {self, "--sleeper", NULL};
    long r, spawned = 0;
    while ((r = sys_spawn(self, argv, 0)) > 0 && spawned < 1000) spawned++;
    long reaped = 0, bad = 0;
    int status;
    long w;
    while ((w = sys_wait(WAIT_ANY, &status)) > 0) {
        reaped++;
        if (status != 0) bad++;
    }
    printf("attack: %s: spawned %ld, reaped %ld, %ld with a non-zero status, wait then %ld\n", n, spawned, reaped,
           bad, w);
    return report(n, r, r == -EAGAIN && spawned > 0 && reaped == spawned && bad == 0 && w == -ECHILD);
}

/* The same, but the bomber leaves without waiting: its sleepers become
 * orphans the kernel itself must reap once they end (the test checks `ps`
 * afterwards). */
static int r_orphanbomb(const char *n) {
    const char *argv[] = {self, "--sleeper", NULL};
    long r, spawned = 0;
    while ((r = sys_spawn(self, argv, 0)) > 0 && spawned < 1000) spawned++;
    printf("attack: %s: spawned %ld, leaving them to the kernel\n", n, spawned);
    return report(n, r, r == -EAGAIN && spawned > 0);
}

/* Each link spawns the next and waits for it, until the kernel refuses; the
 * refusal travels back up as exit status 100 + errno. */
static int chain_link(void) {
    const char *argv[] = {self, "--chain", NULL};
    long pid = sys_spawn(self, argv, 0);
    if (pid < 0) return (int)(100 - pid);
    int status = -1;
    if (sys_wait(pid, &status) != pid) return 99;
    return status;
}
static int r_spawnchain(const char *n) {
    int status = chain_link();
    long got = status >= 100 && status < 128 ? -(long)(status - 100) : status;
    return report(n, got, got == -EAGAIN);
}

/* Touches every page of a big mapping: the page budget (64 MiB by default)
 * must stop it. */
static void touch_all(unsigned long len) {
    long a = sys_mmap(0, len, PROT_READ | PROT_WRITE);
    if (sys_is_err(a)) { printf("attack: mmap(%lu) failed: %ld\n", len, a); exit(1); }
    for (unsigned long off = 0; off < len; off += 4096) *(volatile unsigned char *)(a + off) = 1;
}
static void c_membomb(void) { touch_all(256ul << 20); }

/* One byte every 2 MiB of 64 GiB of mappings: each touched page drags in a
 * page table (and every 1 GiB a page directory) that no budget may forget. */
static void c_ptbomb(void) {
    for (int i = 0; i < 16; i++) {
        long a = sys_mmap(0, 1ul << 32, PROT_READ | PROT_WRITE);
        if (sys_is_err(a)) break;
        for (unsigned long off = 0; off < (1ul << 32); off += 2ul << 20) *(volatile unsigned char *)(a + off) = 1;
    }
}

/* Twelve hogs of 64 MiB each (plus tables) on a 512 MiB machine: physical
 * memory runs out before the budgets do. Every hog must be killed - for its
 * budget or because no frame is left - and the kernel must carry on. */
#define OOM_HOGS 12
static int r_oom(const char *n) {
    const char *argv[] = {self, "--hog", NULL};
    long spawned = 0, spawn_err = 0;
    for (int i = 0; i < OOM_HOGS; i++) {
        long r = sys_spawn(self, argv, 0);
        if (r > 0) spawned++;
        else spawn_err = r;
    }
    long killed = 0, other = 0;
    int status;
    while (sys_wait(WAIT_ANY, &status) > 0) {
        if (status == 128 + 14) killed++;
        else other++;
    }
    printf("attack: %s: %ld hogs spawned (last spawn error %ld), %ld killed, %ld ended otherwise\n", n, spawned,
           spawn_err, killed, other);
    return report(n, killed, spawned > 0 && killed == spawned && other == 0);
}

/* A helper ELF whose text ends at the very top of the user half: its system
 * call returns to a non-canonical address. */
static int r_top_helper(const char *n, const char *prog) {
    const char *argv[] = {prog, NULL};
    long pid = sys_spawn(prog, argv, 0);
    if (pid == -ENOEXEC) {   /* refusing to map the last page at all is fine too */
        printf("attack: %s: the loader refuses %s\n", n, prog);
        return report(n, pid, 1);
    }
    if (pid < 0) return report(n, pid, 0);
    int status = -1;
    sys_wait(pid, &status);
    return report(n, status, status == 128 + 13);
}
static int r_sysret(const char *n) { return r_top_helper(n, "attack_sysret"); }
/* Code on the last user page is what makes a non-canonical return rip
 * possible at all (an interrupt after its last instruction): the loader must
 * refuse such a program outright. */
static int r_top_exec(const char *n) {
    const char *argv[] = {"attack_iret", NULL};
    long pid = sys_spawn("attack_iret", argv, 0);
    int status = -1;
    if (pid > 0) sys_wait(pid, &status);
    return report(n, pid > 0 ? status : pid, pid == -ENOEXEC);
}
static int r_iret(const char *n) { return r_top_helper(n, "attack_iret"); }

/* Twelve holders of 56 MiB each, within their own budget, that keep it for
 * a while: together more than the machine has. The system-wide cap must stop
 * the late ones ("memory limit reached", never a failed frame allocation:
 * the reserve stays free) while the early ones hold on and exit normally. */
#define HOLDERS 12
static int r_syscap(const char *n) {
    const char *argv[] = {self, "--holder", NULL};
    long spawned = 0;
    for (int i = 0; i < HOLDERS; i++)
        if (sys_spawn(self, argv, 0) > 0) spawned++;
    long held = 0, killed = 0, other = 0;
    int status;
    while (sys_wait(WAIT_ANY, &status) > 0) {
        if (status == 0) held++;
        else if (status == 128 + 14) killed++;
        else other++;
    }
    printf("attack: %s: %ld holders, %ld held their memory, %ld stopped by the cap, %ld other\n", n, spawned, held,
           killed, other);
    return report(n, killed, spawned == HOLDERS && held > 0 && killed > 0 && other == 0);
}

/* A helper whose manifest claims 1 GiB: the per-process cap (64 MiB) still stops it. */
static int r_manifest_raise(const char *n) {
    const char *argv[] = {"bigmem", NULL};
    long pid = sys_spawn("bigmem", argv, 0);
    if (pid < 0) return report(n, pid, 0);
    int status = -1;
    sys_wait(pid, &status);
    return report(n, status, status == 128 + 14);
}

/* ---- the RAMFS quota per process ------------------------------------------- */

/* Nodes until the kernel refuses: the per-process quota (64), not the
 * filesystem's 256, must stop it; everything is removed again. */
static int r_fs_quota(const char *n) {
    char path[32] = "/attack-q-";
    long made = 0, r = 0;
    for (int i = 0; i < 300; i++) {
        path[10] = (char)('a' + i / 26);
        path[11] = (char)('a' + i % 26);
        path[12] = '\0';
        r = sys_mkdir(path);
        if (r) break;
        made++;
    }
    for (int i = 0; i < made; i++) {
        path[10] = (char)('a' + i / 26);
        path[11] = (char)('a' + i % 26);
        sys_unlink(path);
    }
    printf("attack: %s: %ld directories, then %ld\n", n, made, r);
    return report(n, r, r == -ENOSPC && made == 64);
}

/* ---- the boot tree: /bin and /init.rc ------------------------------------ */

static int r_bin_rename(const char *n) {
    long r = sys_rename("/bin", "/attack-bin");
    if (r == 0) sys_rename("/attack-bin", "/bin");   /* put it back for the next cases */
    return report(n, r, r == -EPERM);
}
static int r_bin_rmdir(const char *n) {
    long r = sys_unlink("/bin");
    if (r == 0) sys_mkdir("/bin");
    return report(n, r, r == -EPERM);
}
static int r_bin_mkdir(const char *n) {
    long r = sys_mkdir("/bin");                      /* only if /bin was missing or moved */
    if (r == 0) sys_unlink("/bin");
    return report(n, r, r == -EEXIST);
}
/* A mutable /bin/hello (when the initrd has none) must not stand for the
 * built-in program: the planted bytes are no ELF, so running it would fail. */
static int r_bin_plant(const char *n) {
    long fd = sys_open("/bin/hello", O_CREAT | O_WRONLY | O_TRUNC);
    int planted = fd >= 0;
    if (planted) {
        sys_write((int)fd, "planted, not an ELF\n", 20);
        sys_close((int)fd);
    }
    const char *argv[] = {"/bin/hello", NULL};
    long pid = sys_spawn("/bin/hello", argv, 0);
    int status = -1;
    if (pid > 0) sys_wait(pid, &status);
    if (planted) sys_unlink("/bin/hello");
    printf("attack: %s: planting %s (%ld), spawn %ld, status %d\n", n, planted ? "worked" : "refused", fd, pid,
           status);
    return report(n, pid > 0 ? status : pid, pid > 0 && status == 0);
}
/* Tries to learn where the kernel runs (KASLR) from ring 3: SGDT/SIDT when
 * the CPU lets them run (no UMIP), and every text the kernel offers a
 * program about itself (/proc, /sys). Any kernel-half address found is a
 * leak: the image (0xffffffff8...), the physmap or the heap (0xffff8...,
 * 0xffff9...); the descriptor tables' fixed aliases (0xffff918...) are not,
 * they are the same on every boot. */
static int hexdigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
/* A 16-digit hex number in the kernel half (ffff8... and up) in t. */
static int has_kernel_hex(const char *t, long len) {
    for (long i = 0; i < len; i++) {
        if (!hexdigit(t[i]) || (i > 0 && hexdigit(t[i - 1]))) continue;
        long j = i;
        while (j < len && hexdigit(t[j])) j++;
        if (j - i == 16 && (t[i] | 0x20) == 'f' && (t[i + 1] | 0x20) == 'f' && (t[i + 2] | 0x20) == 'f' &&
            (t[i + 3] | 0x20) == 'f' && (t[i + 4] >= '8' || (t[i + 4] | 0x20) >= 'a'))
            return 1;
        i = j;
    }
    return 0;
}
static int r_kaslr_leak(const char *n) {
    static const char *const files[] = { "/proc/dmesg", "/proc/meminfo", "/proc/mounts", "/proc/uptime",
                                         "/proc/self/stat", "/proc/self/status", "/proc/self/maps",
                                         "/proc/self/cmdline", "/sys/kernel/security/measurements" };
    static char buf[16384];
    int leaks = 0;
    if (!cpu_has_umip()) {
        unsigned char d[10];
        unsigned long g, i;
        __asm__ volatile("sgdt %0" : "=m"(d));
        memcpy(&g, d + 2, 8);
        __asm__ volatile("sidt %0" : "=m"(d));
        memcpy(&i, d + 2, 8);
        int bad = (g >> 44) != 0xffff9 || ((g >> 32) & 0xfff) != 0x180 || (i >> 44) != 0xffff9;
        if (bad) printf("attack: %s: sgdt %#lx sidt %#lx: not the fixed aliases\n", n, g, i);
        leaks += bad;
    }
    for (unsigned k = 0; k < sizeof files / sizeof files[0]; k++) {
        long fd = sys_open(files[k], O_RDONLY);
        if (fd < 0) continue;
        long got = 0, r;
        while (got < (long)sizeof buf && (r = sys_read((int)fd, buf + got, sizeof buf - got)) > 0) got += r;
        sys_close((int)fd);
        if (has_kernel_hex(buf, got)) {
            printf("attack: %s: %s shows a kernel address\n", n, files[k]);
            leaks++;
        }
    }
    printf("attack: %s: %d leaks\n", n, leaks);
    return report(n, leaks ? -1 : 0, leaks == 0);
}
static int r_initrc_write(const char *n) {
    long fd = sys_open("/init.rc", O_WRONLY | O_APPEND);
    if (fd >= 0) sys_close((int)fd);
    return report(n, fd, fd == -EPERM);
}

/* ---- the table ------------------------------------------------------------ */

enum kind { KILL, RESULT, UMIP };

struct acase {
    const char *name;
    const char *expect;
    enum kind kind;
    void (*fn)(void);           /* KILL, UMIP */
    int (*rfn)(const char *);   /* RESULT */
};

#define K(name, expect, fn) {name, expect, KILL, fn, NULL}
#define R(name, expect, fn) {name, expect, RESULT, NULL, fn}
#define U(name, fn) {name, "kill:#GP", UMIP, fn, NULL}

static const struct acase cases[] = {
    /* privileged instructions */
    K("cli", "kill:#GP", c_cli),
    K("sti", "kill:#GP", c_sti),
    K("hlt", "kill:#GP", c_hlt),
    K("in", "kill:#GP", c_in),
    K("in-dx", "kill:#GP", c_in_dx),
    K("out", "kill:#GP", c_out),
    K("out-dx", "kill:#GP", c_out_dx),
    K("lgdt", "kill:#GP", c_lgdt),
    K("lidt", "kill:#GP", c_lidt),
    K("ltr", "kill:#GP", c_ltr),
    K("cr0-read", "kill:#GP", c_cr0_read),
    K("cr0-write", "kill:#GP", c_cr0_write),
    K("cr3-read", "kill:#GP", c_cr3_read),
    K("cr3-write", "kill:#GP", c_cr3_write),
    K("cr4-read", "kill:#GP", c_cr4_read),
    K("cr4-write", "kill:#GP", c_cr4_write),
    K("rdmsr", "kill:#GP", c_rdmsr),
    K("wrmsr", "kill:#GP", c_wrmsr),
    K("invlpg", "kill:#GP", c_invlpg),
    K("swapgs", "kill:#GP", c_swapgs),
    K("wbinvd", "kill:#GP", c_wbinvd),
    K("invd", "kill:#GP", c_invd),
    K("clts", "kill:#GP", c_clts),
    K("lmsw", "kill:#GP", c_lmsw),
    K("dr7", "kill:#GP", c_dr7),
    K("rdpmc", "kill:#GP", c_rdpmc),
    K("sysret-user", "kill:#GP", c_sysret_user),
    K("iopl-popf", "kill:#GP", c_iopl_popf),
    K("iopl-iret", "kill:#GP", c_iopl_iret),
    /* UMIP-dependent reads of kernel state */
    U("sgdt", c_sgdt),
    U("sidt", c_sidt),
    U("sldt", c_sldt),
    U("smsw", c_smsw),
    U("str", c_str),
    /* the kernel image, the physmap, the kernel stacks, non-canonical */
    K("kernel-read", "kill:#PF", c_kernel_read),
    K("kernel-write", "kill:#PF", c_kernel_write),
    K("kernel-exec", "kill:#PF", c_kernel_exec),
    K("physmap-read", "kill:#PF", c_physmap_read),
    K("physmap-write", "kill:#PF", c_physmap_write),
    K("physmap-exec", "kill:#PF", c_physmap_exec),
    K("kstack-read", "kill:#PF", c_kstack_read),
    K("kstack-write", "kill:#PF", c_kstack_write),
    K("kstack-exec", "kill:#PF", c_kstack_exec),
    K("kstack-guard", "kill:#PF", c_kstack_guard),
    K("noncanon-read", "kill:#GP", c_noncanon_read),
    K("noncanon-jump", "kill:#GP", c_noncanon_jump),
    /* own memory: W^X and NX */
    K("writecode", "kill:#PF", c_writecode),
    K("writerodata", "kill:#PF", c_writerodata),
    K("execstack", "kill:#PF", c_execstack),
    K("execheap", "kill:#PF", c_execheap),
    K("execdata", "kill:#PF", c_execdata),
    K("execrodata", "kill:#PF", c_execrodata),
    K("mmap-ro-write", "kill:#PF", c_mmap_ro_write),
    K("use-after-munmap", "kill:#PF", c_use_after_munmap),
    /* the null page */
    K("null-read", "kill:#PF", c_null_read),
    K("null-write", "kill:#PF", c_null_write),
    K("null-call", "kill:#PF", c_null_call),
    /* software interrupts: only 0x80 is open to ring 3 */
    K("int3", "kill:#GP", c_int3),
    K("int-0x03", "kill:#GP", c_int_03),
    K("int-0x02", "kill:#GP", c_int_02),
    K("int-0x08", "kill:#GP", c_int_08),
    K("int-0x0e", "kill:#GP", c_int_0e),
    K("int-0x20", "kill:#GP", c_int_20),
    K("int-0x30", "kill:#GP", c_int_30),
    K("int-0x81", "kill:#GP", c_int_81),
    K("int-0xff", "kill:#GP", c_int_ff),
    K("icebp", "kill:#DB|#UD", c_icebp),   /* #DB on hardware; QEMU 7.2 TCG raises #UD */
    K("into", "kill:#UD", c_into),
    /* segments and far transfers into ring 0 */
    K("iret-ring0", "kill:#GP", c_iret_ring0),
    K("farjmp-kernel", "kill:#GP", c_farjmp_kernel),
    K("farjmp-tss", "kill:#GP", c_farjmp_tss),
    K("loadds-kernel", "kill:#GP", c_loadds_kernel),
    K("loadss-kernel", "kill:#GP", c_loadss_kernel),
    /* the syscall return paths */
    R("sysret", "kill:non-canonical return address", r_sysret),
    R("int80-noncanon", "kill:non-canonical return address", r_iret),
    R("top-exec", "error:-ENOEXEC", r_top_exec),
    K("tf-syscall", "kill:#DB", c_tf_syscall),
    K("tf-int80", "kill:#DB", c_tf_int80),
    R("badrsp-syscall", "return:ok", r_badrsp_syscall),
    R("badrsp-int80", "return:ok", r_badrsp_int80),
    R("ksp-syscall", "return:ok", r_ksp_syscall),
    R("ksp-int80", "return:ok", r_ksp_int80),
    R("badrsp-spin", "return:ok", r_badrsp_spin),
    R("flags-syscall", "return:ok", r_flags_syscall),
    R("flags-int80", "return:ok", r_flags_int80),
    /* kernel memory through system calls */
    R("leak-write", "error:-EFAULT", r_leak_write),
    R("leak-read", "error:-EFAULT", r_leak_read),
    /* stack exhaustion */
    K("stackoverflow", "kill:#PF", c_stackoverflow),
    K("stackjump", "kill:#PF", c_stackjump),
    /* resource limits */
    R("spawnbomb", "error:-EAGAIN", r_spawnbomb),
    R("spawnchain", "error:-EAGAIN", r_spawnchain),
    R("orphanbomb", "error:-EAGAIN", r_orphanbomb),
    K("membomb", "kill:memory limit reached", c_membomb),
    K("ptbomb", "kill:memory limit reached", c_ptbomb),
    R("oom", "children:killed", r_oom),
    R("manifest-raise", "kill:memory limit reached", r_manifest_raise),
    R("syscap", "children:killed", r_syscap),
    R("mmap-slots", "error:-ENOMEM", r_mmap_slots),
    R("mmap-huge", "error:-ENOMEM", r_mmap_huge),
    R("mmap-exec", "error:-EPERM", r_mmap_exec),
    R("mmap-kernel", "error:-EINVAL", r_mmap_kernel),
    R("munmap-code", "error:-EINVAL", r_munmap_code),
    R("argv-e2big", "error:-E2BIG", r_argv_e2big),
    R("arg-long", "error:-E2BIG", r_arg_long),
    R("path-long", "error:-ENAMETOOLONG", r_path_long),
    R("wait-nochild", "error:-ECHILD", r_wait_nochild),
    R("wait-self", "error:-ECHILD", r_wait_self),
    R("wait-parent", "error:-ECHILD", r_wait_parent),
    R("sleep-huge", "error:-EINVAL", r_sleep_huge),
    R("badnr", "error:-ENOSYS", r_badnr),
    R("abi-linux-nr", "error:-ENOSYS", r_abi_linux_nr),
    R("close-highfd", "return:ok", r_close_highfd),
    R("fs-quota", "error:-ENOSPC", r_fs_quota),
    /* the boot tree */
    R("bin-rename", "error:-EPERM", r_bin_rename),
    R("bin-rmdir", "error:-EPERM", r_bin_rmdir),
    R("bin-mkdir", "error:-EEXIST", r_bin_mkdir),
    R("bin-plant", "return:ok", r_bin_plant),
    R("kaslr-leak", "return:ok", r_kaslr_leak),
    R("initrc-write", "error:-EPERM", r_initrc_write),
};
#define NCASES (sizeof cases / sizeof cases[0])

static const char *expectation(const struct acase *c) {
    if (c->kind == UMIP && !cpu_has_umip()) return "allowed:no-UMIP";
    return c->expect;
}

/* ---- helper children ------------------------------------------------------ */

static int helper(const char *role) {
    if (strcmp(role, "--sleeper") == 0) {       /* holds its slot for a while */
        sys_sleep(1500);
        return 0;
    }
    if (strcmp(role, "--chain") == 0) return chain_link();
    if (strcmp(role, "--holder") == 0) {
        touch_all(56ul << 20);
        sys_sleep(4000);
        return 0;
    }
    if (strcmp(role, "--hog") == 0) {
        touch_all(256ul << 20);
        return 3;                              /* survived: the parent reports it */
    }
    printf("attack: unknown role %s\n", role);
    return 2;
}

int main(int argc, char **argv) {
    if (argc > 0 && argv[0][0]) self = argv[0];
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-') return helper(argv[1]);
    if (argc > 1 && strcmp(argv[1], "list") == 0) {
        for (unsigned i = 0; i < NCASES; i++) printf("attack: %s expect=%s\n", cases[i].name, expectation(&cases[i]));
        printf("attack: %u cases\n", (unsigned)NCASES);
        return 0;
    }
    for (unsigned i = 0; argc > 1 && i < NCASES; i++) {
        const struct acase *c = &cases[i];
        if (strcmp(argv[1], c->name) != 0) continue;
        const char *exp = expectation(c);
        printf("attack: %s expect=%s\n", c->name, exp);
        if (c->kind == RESULT) return c->rfn(c->name);
        c->fn();
        if (c->kind == UMIP && strcmp(exp, "allowed:no-UMIP") == 0) {
            printf("attack: %s got=%#lx allowed (this CPU has no UMIP)\n", c->name, umip_result);
            return 0;
        }
        printf("attack: %s NOT blocked\n", c->name);
        return 1;
    }
    printf("usage: attack <case>|list (%u cases)\n", (unsigned)NCASES);
    return 2;
}

/* segload: data-segment selectors from ring 3.
 *
 *   segload          loads every user selector the GDT offers (user data
 *                    0x1b, user code 0x23: readable code may go into a data
 *                    register) into DS, ES, FS and GS, user data into SS,
 *                    survives a few system calls and preemptions with them,
 *                    and prints "segload: loads ok".
 *   segload leak     sets DS/ES/FS/GS to one set of values, has a child set
 *                    other values and spin until it is preempted, waits for
 *                    it, and checks its own selectors are unchanged:
 *                    "segload: leak ok" (or "segload: leak FAIL ...").
 *   segload --child  the child of `leak`.
 */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

#define USER_DATA 0x1b
#define USER_CODE 0x23

struct segs { unsigned short ds, es, fs, gs, ss; };

static void get_segs(struct segs *s) {
    __asm__ volatile("mov %%ds, %0\n\tmov %%es, %1\n\tmov %%fs, %2\n\tmov %%gs, %3\n\tmov %%ss, %4"
                     : "=r"(s->ds), "=r"(s->es), "=r"(s->fs), "=r"(s->gs), "=r"(s->ss));
}

static void set_dsesfsgs(unsigned short ds, unsigned short es, unsigned short fs, unsigned short gs) {
    __asm__ volatile("mov %0, %%ds\n\tmov %1, %%es\n\tmov %2, %%fs\n\tmov %3, %%gs"
                     : : "r"(ds), "r"(es), "r"(fs), "r"(gs) : "memory");
}

static void spin(unsigned long n) {
    for (volatile unsigned long i = 0; i < n; i++) { }
}

static int loads(void) {
    static const unsigned short sels[] = { USER_DATA, USER_CODE };
    for (unsigned i = 0; i < sizeof sels / sizeof sels[0]; i++) {
        unsigned short v = sels[i];
        set_dsesfsgs(v, v, v, v);
        sys_getpid();                        /* SYSCALL/SYSRET with them loaded */
        int80_6(SYS_getpid, 0, 0, 0, 0, 0, 0); /* INT 0x80/IRETQ */
        spin(3000000);                       /* timer interrupts, maybe preemption */
        struct segs s;
        get_segs(&s);
        printf("segload: selector %#x -> ds=%#x es=%#x fs=%#x gs=%#x\n", v, s.ds, s.es, s.fs, s.gs);
    }
    __asm__ volatile("mov %0, %%ss" : : "r"((unsigned short)USER_DATA) : "memory");
    sys_getpid();
    struct segs s;
    get_segs(&s);
    printf("segload: ss=%#x\n", s.ss);
    set_dsesfsgs(0, 0, 0, 0);
    printf("segload: loads ok\n");
    return 0;
}

static int child(void) {
    set_dsesfsgs(USER_CODE, USER_CODE, USER_CODE, USER_CODE);
    for (int i = 0; i < 20; i++) {
        spin(200000);
        sys_yield();                         /* hand the CPU back with our values loaded */
    }
    return 0;
}

static int leak(const char *self) {
    set_dsesfsgs(USER_DATA, 0, USER_DATA, 0);
    struct segs before, after;
    get_segs(&before);
    const char *argv[] = { self, "--child", NULL };
    long pid = sys_spawn(self, argv, 0);
    if (pid < 0) { printf("segload: spawn failed %ld\n", pid); return 1; }
    for (int i = 0; i < 20; i++) {           /* run interleaved with the child */
        sys_yield();
        spin(200000);
    }
    int status = -1;
    sys_wait(pid, &status);
    get_segs(&after);
    int ok = before.ds == after.ds && before.es == after.es && before.fs == after.fs && before.gs == after.gs;
    set_dsesfsgs(0, 0, 0, 0);
    printf("segload: leak %s: before ds=%#x es=%#x fs=%#x gs=%#x, after ds=%#x es=%#x fs=%#x gs=%#x, child %d\n",
           ok ? "ok" : "FAIL", before.ds, before.es, before.fs, before.gs, after.ds, after.es, after.fs, after.gs,
           status);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--child") == 0) return child();
    if (argc > 1 && strcmp(argv[1], "leak") == 0) return leak(argv[0]);
    return loads();
}

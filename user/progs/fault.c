/* fault <case>: attempts one forbidden action. The kernel must kill the
 * process (wait status 128 + vector); if the action succeeds the program says
 * so and exits 1. Every action is inline asm so the compiler cannot turn it
 * into something else (e.g. a null read into ud2). */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

static void read_at(unsigned long addr) {
    unsigned char v;
    __asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(addr) : "memory");
    (void)v;
}

static void victim(void) { }   /* a byte of our own .text to write to */

static void c_null(void) { read_at(0); }
static void c_kernel(void) { read_at(0xffffffff80100000ul); }
static void c_physmap(void) { read_at(0xffff800000000000ul); }

static void c_writecode(void) {
    volatile unsigned char *p = (volatile unsigned char *)(unsigned long)victim;
    *p = *p;                      /* writes back the same byte: harmless if it works */
}

static void c_execstack(void) {
    unsigned char code[16];
    code[0] = 0xc3;               /* ret */
    __asm__ volatile("" : : "r"(code) : "memory");   /* the store must happen */
    void (*fn)(void) = (void (*)(void))(unsigned long)code;
    fn();
}

static void c_cli(void) { __asm__ volatile("cli"); }
static void c_hlt(void) { __asm__ volatile("hlt"); }
static void c_in(void) { unsigned char v; __asm__ volatile("inb $0x80, %0" : "=a"(v)); (void)v; }
static void c_out(void) { __asm__ volatile("outb %0, $0x80" : : "a"((unsigned char)0)); }
static void c_cr3(void) { unsigned long v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); (void)v; }
/* IA32_TSC_AUX = 0: would be harmless even if it executed. */
static void c_wrmsr(void) { __asm__ volatile("wrmsr" : : "c"(0xc0000103u), "a"(0), "d"(0)); }
static void c_ud2(void) { __asm__ volatile("ud2"); }
static void c_div0(void) {
    unsigned int q;
    __asm__ volatile("divl %2" : "=a"(q) : "a"(1u), "r"(0u), "d"(0u));
    (void)q;
}

static const struct { const char *name; void (*fn)(void); } cases[] = {
    {"null", c_null},       {"writecode", c_writecode}, {"execstack", c_execstack},
    {"cli", c_cli},         {"hlt", c_hlt},             {"in", c_in},
    {"out", c_out},         {"cr3", c_cr3},             {"wrmsr", c_wrmsr},
    {"kernel", c_kernel},   {"physmap", c_physmap},     {"ud2", c_ud2},
    {"div0", c_div0},
};
#define NCASES (sizeof cases / sizeof cases[0])

int main(int argc, char **argv) {
    for (unsigned i = 0; argc > 1 && i < NCASES; i++) {
        if (strcmp(argv[1], cases[i].name) != 0) continue;
        printf("fault: trying %s\n", cases[i].name);
        cases[i].fn();
        printf("fault: %s NOT blocked\n", cases[i].name);
        return 1;
    }
    printf("usage: fault null|writecode|execstack|cli|hlt|in|out|cr3|wrmsr|"
           "kernel|physmap|ud2|div0\n");
    return 2;
}

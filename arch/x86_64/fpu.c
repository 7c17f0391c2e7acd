#include "arch/x86_64/fpu.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

static struct fpu_state clean;

void fpu_init(void) {
    uint64_t cr0 = read_cr0();
    cr0 &= ~((1ULL << 2) | (1ULL << 3)); /* EM off, TS off */
    cr0 |= (1ULL << 1) | (1ULL << 5);    /* MP, NE (native x87 errors) */
    write_cr0(cr0);
    write_cr4(read_cr4() | (1ULL << 9) | (1ULL << 10)); /* OSFXSR, OSXMMEXCPT */
    uint32_t mxcsr = 0x1f80; /* all SSE exceptions masked, round to nearest */
    __asm__ volatile("fninit; ldmxcsr %0" ::"m"(mxcsr));
    fpu_save(&clean);
}

void fpu_state_init(struct fpu_state *s) { memcpy(s, &clean, sizeof *s); }

/* The IDT: 32 exception vectors and the 16 legacy IRQs, every gate a ring-0
 * interrupt gate (IF cleared on entry), so no vector can be raised from ring 3
 * with INT n unless a later issue opens one on purpose. */
#include "arch/x86_64/idt.h"
#include "arch/x86_64/gdt.h"
#include "lib/ro_after_init.h"

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

static struct idt_gate idt[256] __attribute__((aligned(16))) __ro_after_init;

const void *idt_base(void) { return idt; }
extern const uint64_t isr_stub_table[48];

void idt_set_gate(int vector, uint64_t handler, int ist, int dpl) {
    idt[vector] = (struct idt_gate){
        .offset_low = handler & 0xffff,
        .selector = GDT_KERNEL_CODE,
        .ist = (uint8_t)ist,
        .type_attr = (uint8_t)(0x80 | (dpl << 5) | 0x0e), /* present, 64-bit interrupt gate */
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_high = (uint32_t)(handler >> 32),
    };
}

void idt_init(void) {
    for (int v = 0; v < 48; v++) idt_set_gate(v, isr_stub_table[v], 0, 0);
    /* Faults that mean the current stack cannot be trusted run on IST stacks. */
    idt_set_gate(8, isr_stub_table[8], IST_DOUBLE_FAULT, 0);
    idt_set_gate(2, isr_stub_table[2], IST_NMI, 0);
    idt_set_gate(18, isr_stub_table[18], IST_MACHINE_CHECK, 0);
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" ::"m"(ptr));
}

void idt_table(const void **base, uint64_t *size) {
    *base = idt;
    *size = sizeof idt;
}

void idt_load_alias(uint64_t va) {
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = { sizeof idt - 1, va };
    __asm__ volatile("lidt %0" ::"m"(ptr) : "memory");
}

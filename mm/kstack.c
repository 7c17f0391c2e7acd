#include "mm/kstack.h"
#include "mm/vmm.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/cpu.h"
#include "secos/errno.h"

struct kstack kstack_main;
static uint8_t slot_used[KSTACK_SLOTS];
static uint64_t slot_size[KSTACK_SLOTS];
static int slots_used;

static uint64_t slot_base(int slot) { return KSTACK_REGION + (uint64_t)slot * KSTACK_SLOT_SIZE; }

int kstack_alloc(uint64_t size, struct kstack *out) {
    if (size == 0 || (size & 0xfff) || size > KSTACK_MAX_SIZE) return -EINVAL;
    uint64_t f = irq_save();
    int slot = -1;
    for (int i = 0; i < KSTACK_SLOTS; i++)
        if (!slot_used[i]) { slot = i; break; }
    if (slot < 0) { irq_restore(f); return -ENOMEM; }
    slot_used[slot] = 1;
    slots_used++;
    irq_restore(f);
    /* Layout: [guard][stack: size bytes][guard][unmapped rest of the slot]. */
    uint64_t bottom = slot_base(slot) + 4096;
    for (uint64_t off = 0; off < size; off += 4096) {
        if (vmm_map_new(&kernel_space, bottom + off, PTE_P | PTE_W | PTE_NX) != 0) {
            while (off) { off -= 4096; vmm_unmap(&kernel_space, bottom + off, 0); }
            slot_used[slot] = 0;
            slots_used--;
            return -ENOMEM;
        }
    }
    slot_size[slot] = size;
    *out = (struct kstack){ bottom, bottom + size, slot };
    return 0;
}

void kstack_free(const struct kstack *ks) {
    KASSERT(ks->slot >= 0 && ks->slot < KSTACK_SLOTS && slot_used[ks->slot]);
    for (uint64_t va = ks->bottom; va < ks->top; va += 4096) vmm_unmap(&kernel_space, va, 0);
    uint64_t f = irq_save();
    slot_used[ks->slot] = 0;
    slots_used--;
    irq_restore(f);
}

int kstack_guard_hit(uint64_t addr) {
    if (addr < KSTACK_REGION || addr >= KSTACK_REGION + KSTACK_SLOTS * KSTACK_SLOT_SIZE) return -1;
    int slot = (int)((addr - KSTACK_REGION) / KSTACK_SLOT_SIZE);
    if (!slot_used[slot]) return -1;
    uint64_t bottom = slot_base(slot) + 4096, top = bottom + slot_size[slot];
    if (addr >= bottom - 4096 && addr < bottom) return slot; /* overflow side */
    if (addr >= top && addr < top + 4096) return slot;       /* underflow side */
    return -1;
}

int kstack_slots_used(void) { return slots_used; }

void kstack_boot_switch(void (*fn)(void)) {
    struct kstack ist;
    if (kstack_alloc(16 * 1024, &kstack_main) != 0) panic("kstack: cannot allocate the main stack");
    for (int i = IST_DOUBLE_FAULT; i <= IST_MACHINE_CHECK; i++) {
        if (kstack_alloc(8 * 1024, &ist) != 0) panic("kstack: cannot allocate IST%d", i);
        tss_set_ist(i, ist.top);
    }
    tss_set_rsp0(kstack_main.top);
    __asm__ volatile(
        "mov %0, %%rsp\n\t"
        "xor %%ebp, %%ebp\n\t" /* the backtrace ends here */
        "call *%1\n\t"
        "ud2"
        :
        : "r"(kstack_main.top), "r"(fn)
        : "memory");
    __builtin_unreachable();
}

/* Kernel stacks live in their own region (PML4[511], below the kernel image),
 * one fixed-size slot each, with unmapped guard pages on both sides: running
 * off either end faults instead of silently corrupting a neighbour. */
#ifndef MM_KSTACK_H
#define MM_KSTACK_H
#include <stdint.h>

#define KSTACK_SLOT_SIZE (64 * 1024ULL) /* virtual room per slot, guards included */
#define KSTACK_SLOTS     512
#define KSTACK_MAX_SIZE  (KSTACK_SLOT_SIZE - 2 * 4096)

struct kstack {
    uint64_t bottom; /* lowest mapped byte */
    uint64_t top;    /* one past the highest mapped byte: the initial rsp */
    int slot;
};

/* Maps size bytes (multiple of 4 KiB) in a free slot. 0 or -ENOMEM/-EINVAL. */
int kstack_alloc(uint64_t size, struct kstack *out);
void kstack_free(const struct kstack *ks);
/* If addr is a guard page of an allocated stack, returns its slot, else -1. */
int kstack_guard_hit(uint64_t addr);
int kstack_slots_used(void);

/* Boot: creates the main stack and IST stacks, points the TSS at the ISTs and
 * continues in fn on the new main stack (never returns). */
void kstack_boot_switch(void (*fn)(void)) __attribute__((noreturn));
extern struct kstack kstack_main;

#endif

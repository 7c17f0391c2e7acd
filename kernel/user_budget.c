/* The system-wide budget for user memory. Each process has its own cap
 * (max_mem, 64 MiB by default), but many processes together could still take
 * every frame and leave the kernel (heap, kernel stacks, RAMFS) and the
 * console shell with nothing. So:
 *   - RESERVE: user allocations never take the PMM's last
 *     max(managed / 8, 32 MiB) frames; they are the kernel's and the
 *     console's (commands, files, kill) whatever programs do;
 *   - CAP: frames held by all user address spaces together (leaf pages,
 *     page tables, the space itself) stay below managed - reserve.
 * A demand fault past either is refused like one past the process's own
 * budget ([KILL] ... reason=memory limit reached); a spawn whose initial pages
 * do not fit fails with -ENOMEM. */
#include "kernel/proc.h"
#include "kernel/user_budget.h"
#include "mm/pmm.h"
#include "mm/vmm.h"

#define RESERVE_MIN_FRAMES (32ULL << 20 >> 12)

static uint64_t managed(void) {
    struct pmm_stats s;
    pmm_get_stats(&s);
    return s.managed_frames;
}

uint64_t user_budget_reserve(void) {
    uint64_t m = managed(), r = m / 8;
    if (r < RESERVE_MIN_FRAMES) r = RESERVE_MIN_FRAMES;
    return r < m / 2 ? r : m / 2;   /* tiny machines: half for each side */
}

uint64_t user_budget_cap(void) { return managed() - user_budget_reserve(); }

uint64_t user_budget_in_use(void) { return vmm_user_frames_in_use(); }

int user_budget_allow(uint64_t frames) {
    if (pmm_free_frames() < user_budget_reserve() + frames) return 0;
    return user_budget_in_use() + frames <= user_budget_cap();
}


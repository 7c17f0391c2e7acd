#include "mm/usercopy.h"
#include "mm/vmm.h"
#include "lib/string.h"
#include "secos/errno.h"

static int smap_on;

void usercopy_set_smap(int enabled) { smap_on = enabled; }

/* stac/clac are invalid opcodes without SMAP, hence the flag. */
static inline void user_access_begin(void) { if (smap_on) __asm__ volatile("stac" ::: "memory", "cc"); }
static inline void user_access_end(void) { if (smap_on) __asm__ volatile("clac" ::: "memory", "cc"); }

/* One page: present with USER (and W when writing), or demand-zero that we
 * can fault in now (the #PF path would do the same on first touch). */
static int user_page_ok(struct address_space *as, uint64_t page, int write) {
    uint64_t flags;
    if (vmm_translate(as, page, 0, &flags) != 0) {
        struct region z;
        if (vmm_region_at(as, page, &z)) return 0;
        if (write && !(z.flags & PTE_W)) return 0;
        return vmm_handle_page_fault(page, write ? 2 : 0); /* refuses PROT_NONE */
    }
    if (!(flags & PTE_U)) return 0;
    /* Copy-on-write: the copy is made now, where running out of frames is
     * an -EFAULT; a kernel write would also fault and get it from the #PF
     * resolver, but a refusal there could only panic. */
    if (write && (flags & PTE_COW)) return vmm_handle_page_fault(page, 3);
    if (write && !(flags & PTE_W)) return 0;
    return 1;
}

int user_range_valid(uint64_t addr, uint64_t len, int write) {
    if (addr == 0) return 0;
    if (addr + len < addr) return 0;                     /* wraps */
    if (addr >= USER_HALF_END || addr + len > USER_HALF_END) return 0;
    struct address_space *as = vmm_current();
    if (as == &kernel_space) return 0;                   /* no user space here */
    if (len == 0) return 1;
    for (uint64_t page = addr & ~0xfffULL; page < addr + len; page += 4096)
        if (!user_page_ok(as, page, write)) return 0;
    return 1;
}

int copy_from_user(void *dst, uint64_t src, uint64_t len) {
    if (!user_range_valid(src, len, 0)) return -EFAULT;
    user_access_begin();
    memcpy(dst, (const void *)src, len);
    user_access_end();
    return 0;
}

int copy_to_user(uint64_t dst, const void *src, uint64_t len) {
    if (!user_range_valid(dst, len, 1)) return -EFAULT;
    user_access_begin();
    memcpy((void *)dst, src, len);
    user_access_end();
    return 0;
}

long strncpy_from_user(char *dst, uint64_t src, uint64_t max) {
    if (max == 0) return -ENAMETOOLONG;
    for (uint64_t i = 0; i < max; i++) {
        /* Validate page by page so a string ending just before an unmapped
         * page is fine. */
        if (i == 0 || ((src + i) & 0xfff) == 0)
            if (!user_range_valid(src + i, 1, 0)) return -EFAULT;
        char c;
        user_access_begin();
        c = *(const volatile char *)(src + i);
        user_access_end();
        dst[i] = c;
        if (c == '\0') return (long)i;
    }
    dst[max - 1] = '\0';
    return -ENAMETOOLONG;
}

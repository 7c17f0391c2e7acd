/* The user boundary: every way a user pointer can be wrong, tried against
 * copy_from_user / copy_to_user / strncpy_from_user on a real address space. */
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "mm/usercopy.h"
#include "mm/vmm.h"
#include "mm/pmm.h"
#include "mm/physmap.h"
#include "lib/string.h"
#include "secos/errno.h"

#define U_RW   0x0000000000400000ULL /* two RW pages */
#define U_RO   0x0000000000402000ULL /* one read-only page */
#define U_HOLE 0x0000000000403000ULL /* never mapped */
#define U_DZ   0x0000000000500000ULL /* demand-zero page */
#define U_TOP  0x00007ffffffff000ULL /* last page of the user half */

static struct address_space *uspace;

static int setup(void) {
    uspace = vmm_space_create();
    if (!uspace) return -1;
    if (vmm_map_new(uspace, U_RW, PTE_P | PTE_U | PTE_W | PTE_NX) ||
        vmm_map_new(uspace, U_RW + 4096, PTE_P | PTE_U | PTE_W | PTE_NX) ||
        vmm_map_new(uspace, U_RO, PTE_P | PTE_U | PTE_NX) ||
        vmm_map_new(uspace, U_TOP, PTE_P | PTE_U | PTE_W | PTE_NX) ||
        vmm_add_demand_zero(uspace, U_DZ, U_DZ + 4096, PTE_P | PTE_U | PTE_W | PTE_NX))
        return -1;
    vmm_activate(uspace);
    return 0;
}

static void teardown(void) {
    vmm_activate(&kernel_space);
    vmm_space_destroy(uspace);
}

#define USERCOPY_TEST(ident, name) \
    static int ident##_body(void); \
    SELFTEST(ident, "user." name) { \
        uint64_t free0 = pmm_free_frames(); \
        if (setup()) return -1; \
        int r = ident##_body(); \
        teardown(); \
        ST_CHECK(pmm_free_frames() == free0); \
        return r; \
    } \
    static int ident##_body(void)

USERCOPY_TEST(uc_roundtrip, "copy_roundtrip") {
    char out[64], in[64];
    for (int i = 0; i < 64; i++) out[i] = (char)i;
    ST_CHECK(copy_to_user(U_RW + 4090, out, 64) == 0); /* crosses the page boundary */
    ST_CHECK(copy_from_user(in, U_RW + 4090, 64) == 0);
    ST_CHECK(memcmp(in, out, 64) == 0);
    return 0;
}

USERCOPY_TEST(uc_null, "null_pointer") {
    char b[8];
    ST_CHECK(copy_from_user(b, 0, 8) == -EFAULT);
    ST_CHECK(copy_to_user(0, b, 8) == -EFAULT);
    ST_CHECK(copy_from_user(b, 0, 0) == -EFAULT);
    return 0;
}

USERCOPY_TEST(uc_kernel, "kernel_half_pointer") {
    char b[8];
    ST_CHECK(copy_from_user(b, 0xffffffff80100000ULL, 8) == -EFAULT);
    ST_CHECK(copy_to_user(0xffff800000100000ULL, b, 8) == -EFAULT);
    return 0;
}

USERCOPY_TEST(uc_noncanonical, "non_canonical_pointer") {
    char b[8];
    ST_CHECK(copy_from_user(b, 0x0000800000000000ULL, 8) == -EFAULT);
    ST_CHECK(copy_from_user(b, 0x8000000000000000ULL, 8) == -EFAULT);
    return 0;
}

USERCOPY_TEST(uc_wrap, "wrapping_range") {
    char b[8];
    ST_CHECK(copy_from_user(b, U_RW, 0xffffffffffffff00ULL) == -EFAULT);
    ST_CHECK(!user_range_valid(0xfffffffffffff000ULL, 0x2000, 0));
    return 0;
}

USERCOPY_TEST(uc_unmapped, "unmapped_range") {
    char b[8];
    ST_CHECK(copy_from_user(b, U_HOLE, 8) == -EFAULT);
    ST_CHECK(copy_to_user(U_HOLE + 100, b, 8) == -EFAULT);
    return 0;
}

USERCOPY_TEST(uc_partial, "partly_mapped_range") {
    char b[32];
    memset(b, 0x5a, sizeof b);
    ST_CHECK(copy_from_user(b, U_RO + 4096 - 16, 32) == -EFAULT); /* runs into the hole */
    for (int i = 0; i < 32; i++) ST_CHECK(b[i] == 0x5a);          /* nothing copied */
    return 0;
}

USERCOPY_TEST(uc_readonly, "write_to_readonly_page") {
    char b[8] = "abcdefg";
    ST_CHECK(copy_to_user(U_RO, b, 8) == -EFAULT);
    ST_CHECK(copy_from_user(b, U_RO, 8) == 0); /* reading it is fine */
    ST_CHECK(copy_to_user(U_RW + 4096 - 4, b, 8) == 0);
    ST_CHECK(copy_to_user(U_RW + 8192 - 4, b, 8) == -EFAULT); /* RW then RO */
    return 0;
}

USERCOPY_TEST(uc_top, "end_of_user_half") {
    char b[16];
    ST_CHECK(copy_from_user(b, U_TOP + 4096 - 16, 16) == 0);
    ST_CHECK(copy_from_user(b, U_TOP + 4096 - 8, 16) == -EFAULT); /* crosses 0x800000000000 */
    return 0;
}

USERCOPY_TEST(uc_string, "strncpy_ok") {
    char k[32];
    ST_CHECK(copy_to_user(U_RW, "hello", 6) == 0);
    ST_CHECK(strncpy_from_user(k, U_RW, sizeof k) == 5 && strcmp(k, "hello") == 0);
    return 0;
}

USERCOPY_TEST(uc_string_long, "strncpy_too_long") {
    char k[8], big[16];
    memset(big, 'x', sizeof big);
    ST_CHECK(copy_to_user(U_RW, big, sizeof big) == 0);
    ST_CHECK(strncpy_from_user(k, U_RW, sizeof k) == -ENAMETOOLONG);
    ST_CHECK(k[sizeof k - 1] == '\0');
    return 0;
}

USERCOPY_TEST(uc_string_unmapped, "strncpy_into_unmapped") {
    char k[64], x[8];
    memset(x, 'y', sizeof x);
    ST_CHECK(copy_from_user(x, U_RO + 4096 - 8, 8) == 0);
    /* The read-only page holds zeros: write a NUL-free tail via the physmap. */
    uint64_t pa;
    ST_CHECK(vmm_translate(uspace, U_RO, &pa, 0) == 0);
    memset((char *)phys_to_virt(pa) + 4096 - 8, 'z', 8);
    ST_CHECK(strncpy_from_user(k, U_RO + 4096 - 8, sizeof k) == -EFAULT);
    ST_CHECK(strncpy_from_user(k, U_HOLE, sizeof k) == -EFAULT);
    return 0;
}

USERCOPY_TEST(uc_demand_zero, "demand_zero_faulted_in") {
    uint64_t v = 0x1122334455667788ULL, r = 1;
    ST_CHECK(copy_from_user(&r, U_DZ + 8, 8) == 0 && r == 0);
    ST_CHECK(copy_to_user(U_DZ + 16, &v, 8) == 0);
    ST_CHECK(copy_from_user(&r, U_DZ + 16, 8) == 0 && r == v);
    return 0;
}

SELFTEST(uc_no_user_space, "user.kernel_space_has_no_user_memory") {
    char b[8];
    ST_CHECK(vmm_current() == &kernel_space);
    ST_CHECK(copy_from_user(b, U_RW, 8) == -EFAULT);
    return 0;
}

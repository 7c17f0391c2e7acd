/* See uefi/rng.h. OVMF offers EFI_RNG_PROTOCOL when the machine has a
 * virtio-rng device or RDRAND. The default algorithm (NULL) is whatever
 * the firmware considers best; the bytes go straight into the boot info
 * page, so no other copy is left in loader memory. */
#include "uefi/rng.h"
#include "uefi/log.h"

void uefi_rng_seed(EFI_BOOT_SERVICES *bs, struct secos_boot_info *bi)
{
    EFI_GUID guid = EFI_RNG_PROTOCOL_GUID;
    EFI_RNG_PROTOCOL *rng = 0;

    bi->rng_seed_len = 0;
    if (EFI_ERROR(bs->LocateProtocol(&guid, NULL, (void **)&rng)) || !rng) {
        say("[UEFI] no EFI_RNG_PROTOCOL: no loader seed\n");
        return;
    }
    EFI_STATUS s = rng->GetRNG(rng, NULL, sizeof bi->rng_seed, bi->rng_seed);
    if (EFI_ERROR(s)) {
        for (unsigned i = 0; i < sizeof bi->rng_seed; i++)
            ((volatile uint8_t *)bi->rng_seed)[i] = 0;
        say("[UEFI] EFI_RNG_PROTOCOL failed (status 0x%x): no loader seed\n", (uint64_t)s);
        return;
    }
    bi->rng_seed_len = sizeof bi->rng_seed;
    say("[UEFI] loader seed: %u bytes from EFI_RNG_PROTOCOL\n", (unsigned)sizeof bi->rng_seed);
}

uint64_t uefi_rng_u64(EFI_BOOT_SERVICES *bs, int *strong)
{
    EFI_GUID guid = EFI_RNG_PROTOCOL_GUID;
    EFI_RNG_PROTOCOL *rng = 0;
    uint64_t v = 0;
    *strong = 0;
    if (!EFI_ERROR(bs->LocateProtocol(&guid, NULL, (void **)&rng)) && rng &&
        !EFI_ERROR(rng->GetRNG(rng, NULL, sizeof v, (UINT8 *)&v))) {
        *strong = 1;
        return v;
    }
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    v = ((uint64_t)hi << 32 | lo) * 0x9E3779B97F4A7C15ULL;
    return v ^ v >> 29;
}

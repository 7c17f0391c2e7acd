/* SECoS UEFI loader (BOOTX64.EFI).
 *
 * Loads \kernel.elf from the volume this program came from, places it at a
 * physical address of the firmware's choosing, loads the optional
 * \initrd.cpio (the kernel unpacks it, fs/initrd.c), builds page tables
 * that map the kernel at its higher-half link address, collects what the
 * kernel needs in a struct secos_boot_info (include/secos/boot_info.h),
 * leaves boot services and jumps to the ELF entry (_uefi_start) with
 * RDI = &boot_info.
 *
 * Order matters: everything that allocates or prints through the firmware
 * happens before the final GetMemoryMap, because both change the memory map
 * and would make ExitBootServices reject the map key.
 */
#include <efi.h>
#include "secos/boot_info.h"
#include "uefi/elf_check.h"
#include "uefi/elf_reloc.h"
#include "uefi/esp_id.h"
#include "uefi/log.h"
#include "uefi/mmap_convert.h"
#include "uefi/paging.h"
#include "uefi/rng.h"
#include "uefi/pin_rules.h"
#include "uefi/pins.h"
#include "lib/sha256.h"

/* Every allocation lies below 4 GiB (AllocateMaxAddress). The image, boot
 * info, memory map and page tables are then reachable by a kernel whose
 * early code only trusts a low identity/direct map, and by 32-bit DMA.
 * q35/pc machines always have plenty of RAM there. */
#define LOW_LIMIT       0xffffffffULL
#define MAX_KERNEL_FILE (128ULL << 20)  /* kernel.elf with debug info, generous */
#define MAX_INITRD_FILE (256ULL << 20)  /* far beyond what the RAMFS should hold */
#define MAX_CMDLINE     4096
#define GIB             (1ULL << 30)
#define FAIL_WAIT_SECS  30

static EFI_SYSTEM_TABLE *st;
static EFI_BOOT_SERVICES *bs;
static EFI_HANDLE self;

/* ---- allocations: remembered so a failed boot gives the memory back ---- */

static struct { EFI_PHYSICAL_ADDRESS addr; UINTN pages; } allocs[16];
static int nallocs;

static void *alloc_low(uint64_t bytes, const char *what)
{
    EFI_PHYSICAL_ADDRESS a = LOW_LIMIT;
    UINTN pages = (bytes + 4095) / 4096;
    EFI_STATUS s = EFI_OUT_OF_RESOURCES;

    if (nallocs < (int)(sizeof(allocs) / sizeof(allocs[0])))
        s = bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &a);
    if (EFI_ERROR(s)) {
        say("[UEFI] cannot allocate %u KiB below 4 GiB for %s (status 0x%x)\n",
            (uint64_t)pages * 4, what, (uint64_t)s);
        return 0;
    }
    allocs[nallocs].addr = a;
    allocs[nallocs++].pages = pages;
    return (void *)(uintptr_t)a;
}

/* Gives back the most recent allocation (a buffer that turned out unneeded). */
static void release_last(void)
{
    if (nallocs > 0) {
        nallocs--;
        bs->FreePages(allocs[nallocs].addr, allocs[nallocs].pages);
    }
}

static void release_all(void)
{
    while (nallocs > 0) {
        nallocs--;
        bs->FreePages(allocs[nallocs].addr, allocs[nallocs].pages);
    }
}

/* ---- failure before ExitBootServices: say why, wait, hand back ---------- */

static void wait_key_or_timeout(void)
{
    EFI_EVENT ev[2];
    UINTN n = 0, idx;

    say("[UEFI] press a key to return to the firmware (or wait %u s)\n",
        (uint64_t)FAIL_WAIT_SECS);
    if (st->ConIn) {
        st->ConIn->Reset(st->ConIn, FALSE);
        ev[n++] = st->ConIn->WaitForKey;
    }
    if (EFI_ERROR(bs->CreateEvent(EVT_TIMER, 0, NULL, NULL, &ev[n]))) {
        bs->Stall(FAIL_WAIT_SECS * 1000000ULL);
        return;
    }
    bs->SetTimer(ev[n], TimerRelative, FAIL_WAIT_SECS * 10000000ULL); /* 100 ns units */
    bs->WaitForEvent(n + 1, ev, &idx);
    bs->CloseEvent(ev[n]);
    if (st->ConIn && idx == 0) {
        EFI_INPUT_KEY key;
        st->ConIn->ReadKeyStroke(st->ConIn, &key);
    }
}

static EFI_STATUS fail(EFI_STATUS s, const char *why)
{
    say("[UEFI] error: %s\n", why);
    release_all();
    wait_key_or_timeout();
    return s;
}

/* A pinned file that does not match: the message names the file and both
 * hashes (pin_rules.c). Never boots; the firmware gets control back. */
static EFI_STATUS refuse_pin(const char *msg)
{
    say("%s\n", msg);
    say("[UEFI] refusing to boot: files on the ESP differ from the ones this signed loader was built with\n");
    release_all();
    wait_key_or_timeout();
    return EFI_SECURITY_VIOLATION;
}

static void hash_buf(const void *p, uint64_t n, uint8_t out[SHA256_DIGEST])
{
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, p, n);
    sha256_final(&h, out);
}

/* After ExitBootServices there is no one to return to. */
static void __attribute__((noreturn)) halt(const char *why)
{
    say("[UEFI] error: %s\n[UEFI] halted.\n", why);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* ---- files ------------------------------------------------------------- */

static EFI_STATUS open_root(EFI_FILE_HANDLE *root)
{
    EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
    EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
    EFI_LOADED_IMAGE *li;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
    EFI_STATUS s;

    s = bs->HandleProtocol(self, &li_guid, (void **)&li);
    if (EFI_ERROR(s))
        return s;
    s = bs->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&fs);
    if (EFI_ERROR(s))
        return s;
    return fs->OpenVolume(fs, root);
}

/* Read a whole file into a pool buffer, or with low != 0 into EfiLoaderData
 * pages below 4 GiB that the kernel keeps (alloc_low; freed again on a read
 * error). EFI_NOT_FOUND if it is absent. */
static EFI_STATUS read_file(EFI_FILE_HANDLE root, CHAR16 *path, uint64_t max, int low,
                            void **out, uint64_t *out_size)
{
    EFI_GUID info_guid = EFI_FILE_INFO_ID;
    union {
        EFI_FILE_INFO info;
        uint8_t raw[sizeof(EFI_FILE_INFO) + 512]; /* room for the name */
    } u;
    UINTN isz = sizeof(u);
    EFI_FILE_HANDLE f;
    void *buf = 0;
    uint64_t size, done = 0;
    EFI_STATUS s;

    s = root->Open(root, &f, path, EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(s))
        return s;
    s = f->GetInfo(f, &info_guid, &isz, &u);
    if (EFI_ERROR(s))
        goto out;
    size = u.info.FileSize;
    if (u.info.Attribute & EFI_FILE_DIRECTORY) {
        s = EFI_NOT_FOUND;
        goto out;
    }
    if (size > max) {
        s = EFI_BAD_BUFFER_SIZE;
        goto out;
    }
    if (low) {
        buf = alloc_low(size ? size : 1, "a file");  /* the initrd */
        s = buf ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
    } else {
        s = bs->AllocatePool(EfiLoaderData, size ? size : 1, &buf);
    }
    if (EFI_ERROR(s))
        goto out;
    while (done < size) {
        UINTN n = size - done;
        s = f->Read(f, &n, (uint8_t *)buf + done);
        if (EFI_ERROR(s))
            break;
        if (n == 0) {           /* file shorter than its directory entry */
            s = EFI_END_OF_FILE;
            break;
        }
        done += n;
    }
out:
    f->Close(f);
    if (EFI_ERROR(s)) {
        if (buf && low)
            release_last();
        else if (buf)
            bs->FreePool(buf);
        return s;
    }
    *out = buf;
    *out_size = size;
    return EFI_SUCCESS;
}

/* ---- framebuffer ------------------------------------------------------- */

static int gop_usable(EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *i)
{
    return i->PixelFormat < PixelBltOnly; /* RGB8, BGR8 or bitmask */
}

/* Keep the current mode unless it has no linear framebuffer or is bigger
 * than 1024x768 (slow to redraw for a software console). Then prefer the
 * largest usable mode within 1024x768, else any usable mode. */
static void gop_pick_mode(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop)
{
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *cur = gop->Mode->Info, *i;
    int64_t best = -1, any = -1;
    uint64_t best_area = 0;
    UINTN sz;

    if (gop_usable(cur) && cur->HorizontalResolution <= 1024 &&
        cur->VerticalResolution <= 768)
        return;
    for (UINT32 m = 0; m < gop->Mode->MaxMode; m++) {
        if (EFI_ERROR(gop->QueryMode(gop, m, &sz, &i)))
            continue;
        if (gop_usable(i)) {
            uint64_t area = (uint64_t)i->HorizontalResolution * i->VerticalResolution;
            if (any < 0)
                any = m;
            if (i->HorizontalResolution <= 1024 && i->VerticalResolution <= 768 &&
                area > best_area) {
                best = m;
                best_area = area;
            }
        }
        bs->FreePool(i);
    }
    if (best < 0 && !gop_usable(cur))
        best = any;
    if (best >= 0 && best != gop->Mode->Mode) {
        uint64_t from = gop->Mode->Mode;
        if (EFI_ERROR(gop->SetMode(gop, (UINT32)best))) {
            say("[UEFI] could not switch graphics mode %u -> %u\n", from, (uint64_t)best);
            return;
        }
        st->ConOut->ClearScreen(st->ConOut); /* let the text console redraw in the new mode */
        say("[UEFI] graphics mode %u -> %u\n", from, (uint64_t)best);
    }
}

static void mask_field(UINT32 mask, uint8_t *pos, uint8_t *size)
{
    *pos = *size = 0;
    if (!mask)
        return;
    while (!(mask & 1)) {
        mask >>= 1;
        (*pos)++;
    }
    while (mask & 1) {
        mask >>= 1;
        (*size)++;
    }
}

/* Returns the framebuffer's end address (0 if none) for the identity map. */
static uint64_t setup_fb(struct secos_framebuffer *fb)
{
    EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = 0;
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *i;

    fb->type = SECOS_FB_NONE;
    if (EFI_ERROR(bs->LocateProtocol(&gop_guid, NULL, (void **)&gop)) || !gop || !gop->Mode) {
        say("[UEFI] no graphics output protocol: no framebuffer\n");
        return 0;
    }
    gop_pick_mode(gop);
    i = gop->Mode->Info;
    switch (i->PixelFormat) {
    case PixelRedGreenBlueReserved8BitPerColor: /* bytes R,G,B,x */
        fb->bpp = 32;
        fb->red_pos = 0; fb->green_pos = 8; fb->blue_pos = 16;
        fb->red_size = fb->green_size = fb->blue_size = 8;
        break;
    case PixelBlueGreenRedReserved8BitPerColor: /* bytes B,G,R,x */
        fb->bpp = 32;
        fb->red_pos = 16; fb->green_pos = 8; fb->blue_pos = 0;
        fb->red_size = fb->green_size = fb->blue_size = 8;
        break;
    case PixelBitMask: {
        EFI_PIXEL_BITMASK *m = &i->PixelInformation;
        UINT32 all = m->RedMask | m->GreenMask | m->BlueMask | m->ReservedMask;
        uint8_t top = 0;
        while (all >> top)
            top++;
        fb->bpp = (uint8_t)((top + 7) / 8 * 8);
        mask_field(m->RedMask, &fb->red_pos, &fb->red_size);
        mask_field(m->GreenMask, &fb->green_pos, &fb->green_size);
        mask_field(m->BlueMask, &fb->blue_pos, &fb->blue_size);
        break;
    }
    default:
        say("[UEFI] graphics mode has no linear framebuffer (blt only)\n");
        return 0;
    }
    fb->type = SECOS_FB_RGB;
    fb->addr = gop->Mode->FrameBufferBase;
    fb->width = i->HorizontalResolution;
    fb->height = i->VerticalResolution;
    fb->pitch = i->PixelsPerScanLine * (fb->bpp / 8);
    say("[UEFI] framebuffer %ux%u, %u bpp, pitch %u at 0x%x\n", (uint64_t)fb->width,
        (uint64_t)fb->height, (uint64_t)fb->bpp, (uint64_t)fb->pitch, fb->addr);
    return fb->addr + gop->Mode->FrameBufferSize;
}

/* ---- ACPI -------------------------------------------------------------- */

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
    for (int i = 0; i < 16; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

static uint64_t find_rsdp(void)
{
    EFI_GUID want[2] = { ACPI_20_TABLE_GUID, ACPI_TABLE_GUID }; /* 2.0 preferred */
    for (int w = 0; w < 2; w++)
        for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
            if (guid_eq(&st->ConfigurationTable[i].VendorGuid, &want[w])) {
                uint64_t a = (uint64_t)(uintptr_t)st->ConfigurationTable[i].VendorTable;
                say("[UEFI] ACPI %s RSDP at 0x%x\n", w ? "1.0" : "2.0", a);
                return a;
            }
    say("[UEFI] no ACPI RSDP in the configuration table\n");
    return 0;
}

/* ---- the jump ---------------------------------------------------------- */

static void __attribute__((noreturn)) enter_kernel(uint64_t pml4, uint64_t entry, uint64_t info)
{
    uint64_t cr0, cr4;
    uint32_t a, b, c, d;

    __asm__ volatile("cli");
    /* Everything this code touches (text, stack, boot info) is identity
     * mapped in the new tables, so execution simply continues. */
    __asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
    /* A CR3 write keeps global TLB entries; toggle PGE to drop any the
     * firmware left behind. */
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    if (cr4 & (1 << 7)) {
        __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~(1ULL << 7)) : "memory");
        __asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
    }
    /* Promised state for the kernel: CR0.WP=1, and EFER.NXE=1 whenever the
     * CPU has NX (no page we map uses it yet). */
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | (1ULL << 16)) : "memory");
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
    if (a >= 0x80000001u) {
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
        if (d & (1u << 20)) {
            __asm__ volatile("rdmsr" : "=a"(a), "=d"(d) : "c"(0xc0000080u));
            a |= 1u << 11;
            __asm__ volatile("wrmsr" : : "a"(a), "d"(d), "c"(0xc0000080u));
        }
    }
    /* call rather than jmp: the kernel sees a normal ABI entry (RSP 16-byte
     * aligned before the call) and a return lands in a halt loop. */
    __asm__ volatile("and $-16, %%rsp\n\t"
                     "call *%0\n\t"
                     "1: cli; hlt; jmp 1b"
                     : : "r"(entry), "D"(info) : "memory");
    __builtin_unreachable();
}

/* ---- main -------------------------------------------------------------- */

static CHAR16 *kernel_paths[] = { L"\\kernel.elf", L"\\boot\\kernel.elf", L"\\EFI\\BOOT\\kernel.elf" };
static const char *kernel_names[] = { "\\kernel.elf", "\\boot\\kernel.elf", "\\EFI\\BOOT\\kernel.elf" };
static CHAR16 *initrd_paths[] = { L"\\initrd.cpio", L"\\boot\\initrd.cpio", L"\\EFI\\BOOT\\initrd.cpio" };
static const char *initrd_names[] = { "\\initrd.cpio", "\\boot\\initrd.cpio", "\\EFI\\BOOT\\initrd.cpio" };
static const char loader_name[] = "SECoS UEFI loader";

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

/* Called by gnu-efi's crt0 with the SysV ABI, after self-relocation. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    EFI_FILE_HANDLE root;
    EFI_STATUS s = EFI_NOT_FOUND;
    struct elf_kernel_layout lay;
    struct secos_framebuffer fb = { 0 };
    const char *why;
    void *file = 0;
    uint64_t fsize = 0, cr4;
    unsigned k;
    char pinmsg[PIN_MSG_MAX];
    uint8_t kernel_hash[SHA256_DIGEST], initrd_hash[SHA256_DIGEST] = { 0 };

    st = systab;
    bs = systab->BootServices;
    self = image;
    log_init(st->ConOut);
    say("\n[UEFI] SECoS UEFI loader\n");
    bs->SetWatchdogTimer(0, 0, 0, NULL); /* the default 5 min would reset us */

    /* We hand over 4-level tables; a CPU in 5-level mode cannot take them. */
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    if (cr4 & (1 << 12))
        return fail(EFI_UNSUPPORTED, "firmware runs with 5-level paging (CR4.LA57), unsupported");

    uint64_t fb_end = setup_fb(&fb);
    uint64_t rsdp = find_rsdp();

    /* 1. Read and check the kernel. */
    s = open_root(&root);
    if (EFI_ERROR(s))
        return fail(s, "cannot open the volume the loader was started from");
    for (k = 0; k < sizeof(kernel_paths) / sizeof(kernel_paths[0]); k++) {
        s = read_file(root, kernel_paths[k], MAX_KERNEL_FILE, 0, &file, &fsize);
        if (s != EFI_NOT_FOUND)
            break;
    }
    if (s == EFI_NOT_FOUND) {
        root->Close(root);
        return fail(s, "kernel.elf not found (tried \\kernel.elf, \\boot\\kernel.elf, \\EFI\\BOOT\\kernel.elf)");
    }
    if (EFI_ERROR(s)) {
        root->Close(root);
        say("[UEFI] reading %s: status 0x%x\n", kernel_names[k], (uint64_t)s);
        return fail(s, s == EFI_BAD_BUFFER_SIZE ? "kernel.elf is too large"
                                                : "cannot read kernel.elf");
    }
    say("[UEFI] read %s: %u bytes\n", kernel_names[k], fsize);
    /* Pin check before the ELF parser sees a byte: a pinned loader parses
     * only the kernel it was built (and signed) with. */
    hash_buf(file, fsize, kernel_hash);
    if (pins_enabled && pin_compare(kernel_names[k], pin_kernel_sha256, kernel_hash,
                                    pinmsg, sizeof pinmsg)) {
        bs->FreePool(file);
        root->Close(root);
        return refuse_pin(pinmsg);
    }
    if (elf_check_kernel(file, fsize, &lay, &why)) {
        bs->FreePool(file);
        root->Close(root);
        say("[UEFI] kernel.elf rejected\n");
        return fail(EFI_LOAD_ERROR, why);
    }

    /* 2. Place it: one block for the whole span, bss zeroed. */
    uint64_t kspan = lay.vend - lay.vbase;
    uint8_t *kmem = alloc_low(kspan, "the kernel image");
    if (!kmem) {
        bs->FreePool(file);
        root->Close(root);
        return fail(EFI_OUT_OF_RESOURCES, "out of memory for the kernel image");
    }
    elf_load_segments(file, &lay, kmem);
    /* 2a. KASLR: the image moves up by a random multiple of 2 MiB below
     * 1 GiB (9 bits); its relocation records say what to patch. A file
     * without usable records boots where it was linked, and says so. The
     * slide itself is never printed: only the console's `info` shows it. */
    int strong;
    uint64_t slide = kaslr_slide_from(uefi_rng_u64(bs, &strong)), moved = 0;
    if (elf_relocate(file, fsize, &lay, kmem, slide, &moved, &why)) {
        say("[UEFI] KASLR off: %s\n", why);
        slide = 0;
    } else {
        say("[UEFI] KASLR: image slid (%u references moved; %s)\n", moved,
            strong ? "EFI_RNG_PROTOCOL" : "no EFI_RNG_PROTOCOL: time-stamp counter, weak");
    }
    bs->FreePool(file);
    uint64_t kphys = (uint64_t)(uintptr_t)kmem; /* == physical address of LINK_BASE (+ slide, virtually) */
    say("[UEFI] kernel: %u segments, %u KiB at phys 0x%x\n", (uint64_t)lay.nseg, kspan / 1024, kphys);

    /* 2b. Optional initrd, searched like the kernel. It stays where it is
     * read (pages below 4 GiB, identity mapped); the kernel sees it as the
     * boot module "initrd" and keeps its frames reserved. Missing or
     * unreadable, the kernel boots without it (its programs are built in). */
    void *initrd = 0;
    uint64_t initrd_size = 0;
    for (k = 0; k < sizeof(initrd_paths) / sizeof(initrd_paths[0]); k++) {
        s = read_file(root, initrd_paths[k], MAX_INITRD_FILE, 1, &initrd, &initrd_size);
        if (s != EFI_NOT_FOUND)
            break;
    }
    if (s == EFI_NOT_FOUND) {
        say("[UEFI] no initrd.cpio (tried \\initrd.cpio, \\boot\\initrd.cpio, "
            "\\EFI\\BOOT\\initrd.cpio): booting without an initrd\n");
    } else if (EFI_ERROR(s)) {
        initrd = 0;
        initrd_size = 0;
        say("[UEFI] error: cannot read %s (%s, status 0x%x): booting without an initrd\n",
            initrd_names[k],
            s == EFI_BAD_BUFFER_SIZE      ? "larger than 256 MiB"
            : s == EFI_OUT_OF_RESOURCES ? "no memory below 4 GiB"
                                        : "read failed",
            (uint64_t)s);
    } else if (initrd_size == 0) {
        release_last();
        initrd = 0;
        say("[UEFI] %s is empty: booting without an initrd\n", initrd_names[k]);
    } else {
        say("[UEFI] read %s: %u bytes at phys 0x%x\n", initrd_names[k], initrd_size,
            (uint64_t)(uintptr_t)initrd);
        hash_buf(initrd, initrd_size, initrd_hash);
    }
    /* A pinned loader needs its initrd: without it the kernel would boot
     * with programs nobody chose, so absent or unreadable is a mismatch. */
    if (pins_enabled &&
        pin_compare(k < sizeof(initrd_names) / sizeof(initrd_names[0]) ? initrd_names[k]
                                                                      : "\\initrd.cpio",
                    pin_initrd_sha256, initrd ? initrd_hash : 0, pinmsg, sizeof pinmsg)) {
        root->Close(root);
        return refuse_pin(pinmsg);
    }
    if (pins_enabled)
        say("[UEFI] kernel.elf and initrd.cpio match the loader's pins\n");

    /* 3. Boot info page: the struct, then the loader name, then the cmdline. */
    uint8_t *page = alloc_low(8192, "the boot info");
    if (!page) {
        root->Close(root);
        return fail(EFI_OUT_OF_RESOURCES, "out of memory for the boot info");
    }
    for (int i = 0; i < 8192; i++)
        page[i] = 0;
    struct secos_boot_info *bi = (struct secos_boot_info *)page;
    char *name = (char *)page + 512, *cmd = (char *)page + 1024;
    for (unsigned i = 0; i < sizeof(loader_name); i++)
        name[i] = loader_name[i];

    /* Optional \cmdline.txt: one line of ASCII, control characters become
     * spaces and trailing blanks are dropped. Absent means empty. */
    void *cbuf;
    uint64_t clen;
    s = read_file(root, L"\\cmdline.txt", MAX_CMDLINE - 1, 0, &cbuf, &clen);
    if (!EFI_ERROR(s)) {
        const uint8_t *c = cbuf;
        for (uint64_t i = 0; i < clen; i++)
            cmd[i] = (c[i] < 0x20 || c[i] > 0x7e) ? ' ' : (char)c[i];
        while (clen > 0 && cmd[clen - 1] == ' ')
            cmd[--clen] = 0;
        bs->FreePool(cbuf);
        say("[UEFI] cmdline: \"%s\"\n", cmd);
        /* \cmdline.txt is outside the signature: a pinned loader passes on
         * only allow-listed options (pin_rules.c) and otherwise stops. */
        if (pins_enabled && pin_cmdline_allowed(cmd, clen, pinmsg, sizeof pinmsg)) {
            root->Close(root);
            say("%s\n", pinmsg);
            return fail(EFI_SECURITY_VIOLATION, "refusing to boot with this \\cmdline.txt");
        }
    } else if (s != EFI_NOT_FOUND) {
        say("[UEFI] ignoring \\cmdline.txt (status 0x%x)\n", (uint64_t)s);
    }
    root->Close(root);

    bi->magic = SECOS_BOOT_INFO_MAGIC;
    bi->version = SECOS_BOOT_INFO_VERSION;
    bi->size = sizeof(*bi);
    bi->kernel_phys_base = kphys;
    bi->kernel_phys_size = kspan;
    bi->fb = fb;
    bi->rsdp_addr = rsdp;
    bi->cmdline_addr = (uint64_t)(uintptr_t)cmd;
    bi->loader_name_addr = (uint64_t)(uintptr_t)name;
    bi->initrd_addr = (uint64_t)(uintptr_t)initrd;
    bi->initrd_size = initrd_size;
    esp_id_fill(bs, image, bi);   /* before the final memory map: it uses pool memory */
    uefi_rng_seed(bs, bi);
    for (int i = 0; i < SHA256_DIGEST; i++) {
        bi->kernel_sha256[i] = kernel_hash[i];
        bi->initrd_sha256[i] = initrd_hash[i];
    }
    bi->images_pinned = pins_enabled ? 1 : 0;
    bi->kernel_slide = slide;

    /* 4. Memory map buffers. Ask for the size, then allocate with slack:
     * our own allocations below (and firmware activity) add descriptors. */
    UINTN msize = 0, mkey, dsize = 0;
    UINT32 dver;
    EFI_MEMORY_DESCRIPTOR probe;
    s = bs->GetMemoryMap(&msize, &probe, &mkey, &dsize, &dver);
    if (s != EFI_BUFFER_TOO_SMALL && EFI_ERROR(s))
        return fail(s, "GetMemoryMap failed");
    if (dsize < sizeof(struct uefi_mem_desc))
        return fail(EFI_UNSUPPORTED, "firmware memory descriptors are too small");
    uint64_t mcap = (msize + 64 * dsize + 4095) & ~4095ULL;
    void *map = alloc_low(mcap, "the memory map");
    if (!map)
        return fail(EFI_OUT_OF_RESOURCES, "out of memory for the memory map");
    msize = mcap;
    s = bs->GetMemoryMap(&msize, map, &mkey, &dsize, &dver);
    if (EFI_ERROR(s))
        return fail(s, "GetMemoryMap failed");

    /* Identity map everything the map mentions (RAM, ACPI, MMIO), at least
     * the low 4 GiB (local APIC, IOAPIC, flash) and the framebuffer. */
    uint64_t ident_end = 4 * GIB;
    for (uint64_t off = 0; off + dsize <= msize; off += dsize) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((uint8_t *)map + off);
        uint64_t end = d->PhysicalStart + d->NumberOfPages * 4096;
        if (end > ident_end)
            ident_end = end;
    }
    if (fb_end > ident_end)
        ident_end = fb_end;

    uint32_t ecap = (uint32_t)(mcap / dsize) + 4; /* mmap_convert needs count + 2 */
    struct secos_mmap_entry *entries =
        alloc_low((uint64_t)ecap * sizeof(*entries), "the boot memory map");
    uint64_t ptpages = pt_pages_needed(ident_end, kspan);
    void *ptmem = alloc_low(ptpages * 4096, "page tables");
    if (!entries || !ptmem)
        return fail(EFI_OUT_OF_RESOURCES, "out of memory for the memory map or page tables");

    /* 5. Page tables: identity [0, ident_end) with 2 MiB pages so this code,
     * its stack and the boot info stay reachable, plus the kernel span. */
    struct pt_pool pool = { (uint64_t)(uintptr_t)ptmem, (uint64_t)(uintptr_t)ptmem + ptpages * 4096 };
    uint64_t pml4;
    if (pt_build(&pool, ident_end, lay.vbase + slide, kphys, kspan, &pml4, &why))
        return fail(EFI_OUT_OF_RESOURCES, why);
    /* Cheap self-check before the point of no return. */
    if (pt_translate(pml4, lay.entry + slide) != (int64_t)(kphys + (lay.entry - lay.vbase)) ||
        pt_translate(pml4, (uint64_t)(uintptr_t)&pool) != (int64_t)(uintptr_t)&pool ||
        pt_translate(pml4, (uint64_t)(uintptr_t)&enter_kernel) != (int64_t)(uintptr_t)&enter_kernel)
        return fail(EFI_LOAD_ERROR, "page-table self-check failed");
    say("[UEFI] page tables at 0x%x (%u pages), identity map up to 0x%x\n",
        pml4, (pool.next - (uint64_t)(uintptr_t)ptmem) / 4096, ident_end);
    say("[UEFI] boot info at 0x%x; exiting boot services\n", (uint64_t)(uintptr_t)bi);

    /* 6. Final map + ExitBootServices. Nothing may allocate or use the
     * console from here on; a stale key (EFI_INVALID_PARAMETER) means the
     * map changed under us, so fetch it again and retry. */
    log_console_off();
    for (int tries = 0;; tries++) {
        msize = mcap;
        s = bs->GetMemoryMap(&msize, map, &mkey, &dsize, &dver);
        if (EFI_ERROR(s)) {
            if (tries == 0) { /* boot services still fully usable */
                log_init(st->ConOut);
                return fail(s, "final GetMemoryMap failed");
            }
            halt("GetMemoryMap failed after a failed ExitBootServices");
        }
        s = bs->ExitBootServices(image, mkey);
        if (!EFI_ERROR(s))
            break;
        if (s != EFI_INVALID_PARAMETER || tries == 8)
            halt("ExitBootServices failed");
    }

    /* 7. Boot services are gone: only serial output from here. */
    int n = mmap_convert(map, msize, dsize, kphys, kspan, entries, ecap);
    if (n < 0)
        halt("memory map does not fit the boot info array");
    bi->mmap_addr = (uint64_t)(uintptr_t)entries;
    bi->mmap_count = (uint32_t)n;
    say("[UEFI] boot services exited, %u memory map entries; entering kernel\n", (uint64_t)n);
    enter_kernel(pml4, lay.entry + slide, (uint64_t)(uintptr_t)bi);
}

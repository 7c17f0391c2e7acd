; Entry points of the kernel image.
;
;  _start       32-bit protected mode, from a Multiboot 1 or 2 loader. Checks the
;               magic and long-mode support, slides the image (KASLR: applies
;               .kaslr_relocs), builds the boot page tables (identity 0-4 GiB
;               + the kernel window, -2 GiB + slide onto 0), enables
;               PAE/LME/NXE/paging and jumps to the higher half.
;  _uefi_start  64-bit, from our UEFI loader, which already built page tables
;               mapping the image at its link address. RDI = boot info (phys).
;
; Both end in kernel_main(magic, info_phys) on the boot stack, interrupts off.

KERNEL_VIRT_OFFSET equ 0xffffffff80000000
%define PHYS(x) ((x) - KERNEL_VIRT_OFFSET)

MB1_MAGIC      equ 0x1BADB002
MB1_FLAGS      equ (1 << 1) | (1 << 16)   ; memory info, address fields valid
MB2_MAGIC      equ 0xE85250D6
MB1_BOOT_MAGIC equ 0x2BADB002
MB2_BOOT_MAGIC equ 0x36d76289
MIN_RAM        equ 4 << 20                ; below this the PMM has no room to start
KASLR_RELOCS_SIZE equ 65536               ; bytes of .kaslr_relocs (the Makefile passes the same to mkrelocs.py)
FIRMWARE_SLACK equ 256 << 10              ; ACPI tables etc. at the top of a small RAM

extern __kernel_start, __load_end, __bss_end
extern kernel_main
global _start, _uefi_start
global boot_pml4, boot_stack_top, boot_stack_bottom, boot_kaslr_slide

section .multiboot progbits alloc noexec nowrite align=8
mb1_header:                              ; must be in the first 8 KiB of the file
    dd MB1_MAGIC
    dd MB1_FLAGS
    dd -(MB1_MAGIC + MB1_FLAGS)
    dd PHYS(mb1_header)                  ; header_addr
    dd PHYS(__kernel_start)              ; load_addr
    dd PHYS(__load_end)                  ; load_end_addr
    dd PHYS(__bss_end)                   ; bss_end_addr
    dd PHYS(_start)                      ; entry_addr

align 8
mb2_header:                              ; must be in the first 32 KiB, 8-aligned
    dd MB2_MAGIC
    dd 0                                 ; i386 protected mode
    dd mb2_header_end - mb2_header
    dd 0x100000000 - (MB2_MAGIC + (mb2_header_end - mb2_header))
    ; entry address tag: the ELF entry is _uefi_start, Multiboot enters here
    dw 3, 0
    dd 12
    dd PHYS(_start)
    dd 0                                 ; pad to 8
    ; framebuffer tag (optional): ask GRUB for a linear 32-bpp mode
    dw 5, 1
    dd 20
    dd 1024, 768, 32
    dd 0                                 ; pad to 8
    ; module alignment tag: modules (the initrd) page aligned
    dw 6, 0
    dd 8
    ; end tag
    dw 0, 0
    dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
bits 32
_start:
    cli
    cld
    mov esp, PHYS(boot_stack_top)
    mov edi, eax                         ; loader magic
    mov esi, ebx                         ; loader info (physical)

    cmp eax, MB2_BOOT_MAGIC
    je .magic_ok
    cmp eax, MB1_BOOT_MAGIC
    je .magic_ok
    mov eax, PHYS(msg_no_multiboot)
    jmp boot_fail32
.magic_ok:
    ; Is the boot stack RAM at all? Checked from the loader's memory size
    ; before the first push: on a machine too small, the stack (in .bss,
    ; above the image) is not memory and the CPUID probe below would fail in
    ; a way that looks like a missing long mode. No size given: go on.
    cmp edi, MB1_BOOT_MAGIC
    jne .mb2_mem
    test dword [esi], 1                  ; flags bit 0: mem_lower/mem_upper valid
    jz .mem_ok
    mov eax, [esi + 8]                   ; mem_upper: KiB above 1 MiB
    jmp .check_mem
.mb2_mem:
    mov edx, [esi]                       ; total size
    cmp edx, 16
    jb .mem_ok                           ; malformed: boot_info_parse says so later
    add edx, esi
    jc .mem_ok
    lea ecx, [esi + 8]                   ; first tag
.next_tag:
    lea eax, [ecx + 16]
    cmp eax, edx
    ja .mem_ok
    mov eax, [ecx]                       ; tag type
    test eax, eax
    jz .mem_ok                           ; end tag: no basic memory info
    cmp eax, 4
    je .mb2_found
    mov eax, [ecx + 4]                   ; tag size
    cmp eax, 8
    jb .mem_ok
    add eax, 7
    and eax, ~7
    add ecx, eax
    jc .mem_ok
    jmp .next_tag
.mb2_found:
    mov eax, [ecx + 12]                  ; mem_upper: KiB above 1 MiB
.check_mem:
    cmp eax, (MIN_RAM - 0x100000 - FIRMWARE_SLACK) >> 10
    jb .no_memory
    mov ecx, PHYS(__bss_end)             ; the image, its page tables and stack
    sub ecx, 0x100000
    shr ecx, 10
    inc ecx
    cmp eax, ecx
    jae .mem_ok
.no_memory:
    mov eax, PHYS(msg_no_memory)
    jmp boot_fail32
.mem_ok:
    ; CPUID present? (EFLAGS.ID must be toggleable)
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 1 << 21
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    cmp eax, ecx
    je .no_long_mode
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29                    ; LM
    jz .no_long_mode
    test edx, 1 << 20                    ; NX: W^X is not negotiable
    jz .no_nx
    jmp .cpu_ok
.no_long_mode:
    mov eax, PHYS(msg_no_long_mode)
    jmp boot_fail32
.no_nx:
    mov eax, PHYS(msg_no_nx)
    jmp boot_fail32

.cpu_ok:
    ; KASLR: the image moves up by a random multiple of 2 MiB below 1 GiB
    ; (RDRAND when the CPU has it, else the time-stamp counter): every
    ; absolute reference to it, listed in .kaslr_relocs by tools/mkrelocs.py,
    ; gains the slide while paging is still off, and the kernel window below
    ; maps the slid addresses onto the same physical bytes.
    ; `nokaslr` anywhere on the command line (make debug, for gdb at the
    ; link addresses) keeps the slide 0. EBX: the command line or 0.
    xor ebx, ebx
    cmp edi, MB1_BOOT_MAGIC
    jne .cl_mb2
    test dword [esi], 1 << 2             ; flags bit 2: cmdline valid
    jz .cl_done
    mov ebx, [esi + 16]
    jmp .cl_done
.cl_mb2:
    mov edx, [esi]                       ; total size
    cmp edx, 16
    jb .cl_done
    add edx, esi
    jc .cl_done
    lea ecx, [esi + 8]
.cl_tag:
    lea eax, [ecx + 8]
    cmp eax, edx
    ja .cl_done
    mov eax, [ecx]
    test eax, eax
    jz .cl_done                          ; end tag
    cmp eax, 1                           ; the command line
    je .cl_found
    mov eax, [ecx + 4]
    cmp eax, 8
    jb .cl_done
    add eax, 7
    and eax, ~7
    add ecx, eax
    jc .cl_done
    jmp .cl_tag
.cl_found:
    lea ebx, [ecx + 8]
.cl_done:
    test ebx, ebx
    jz .kaslr_random
    mov ecx, 4096                        ; a bounded scan
.cl_scan:
    cmp byte [ebx], 0
    je .kaslr_random
    cmp dword [ebx], 'noka'
    jne .cl_next
    cmp word [ebx + 4], 'sl'
    jne .cl_next
    cmp byte [ebx + 6], 'r'
    jne .cl_next
    xor eax, eax
    jmp .kaslr_pick
.cl_next:
    inc ebx
    loop .cl_scan
.kaslr_random:
    mov eax, 1
    cpuid
    bt ecx, 30                           ; RDRAND
    jnc .kaslr_tsc
    mov ecx, 10
.kaslr_rdrand:
    rdrand eax
    jc .kaslr_pick
    loop .kaslr_rdrand
.kaslr_tsc:
    rdtsc
    xor eax, edx
    imul eax, eax, 0x9E3779B1
    mov edx, eax
    shr edx, 15
    xor eax, edx
.kaslr_pick:
    and eax, 511
    shl eax, 21
    mov [PHYS(boot_kaslr_slide)], eax
    mov ebp, eax
    test ebp, ebp
    jz .kaslr_done
    mov ebx, PHYS(kaslr_relocs)
    mov ecx, [ebx]                       ; count: within the section, or no slide at all
    cmp ecx, (KASLR_RELOCS_SIZE - 4) / 4
    jbe .kaslr_apply
    xor ebp, ebp
    mov [PHYS(boot_kaslr_slide)], ebp
    jmp .kaslr_done
.kaslr_apply:
    add ebx, 4
.kaslr_next:
    test ecx, ecx
    jz .kaslr_done
    mov edx, [ebx]
    add ebx, 4
    dec ecx
    mov eax, edx
    and eax, 0x7fffffff
    add eax, PHYS(__kernel_start)        ; the field's physical address
    add [eax], ebp
    test edx, 0x80000000
    jnz .kaslr_next                      ; a sign-extended 32-bit field: done
    adc dword [eax + 4], 0               ; a 64-bit one: the carry
    jmp .kaslr_next
.kaslr_done:
    ; boot_pd_high: the kernel window, -2 GiB + slide + x -> physical x.
    mov edx, PHYS(boot_pd_high)
    xor ecx, ecx
.fill_high:
    mov eax, ecx
    shl eax, 21
    sub eax, ebp
    jb .high_none                        ; below the slide: not mapped
    or eax, 0x83                         ; present | writable | 2 MiB
    jmp .high_set
.high_none:
    xor eax, eax
.high_set:
    mov [edx + ecx * 8], eax
    mov dword [edx + ecx * 8 + 4], 0
    inc ecx
    cmp ecx, 1024
    jb .fill_high

    ; boot_pd0..3 map 0-4 GiB with 2 MiB pages.
    mov edx, PHYS(boot_pd)
    xor ecx, ecx
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83                         ; present | writable | 2 MiB
    mov [edx + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                          ; high dword: (i * 2 MiB) >> 32
    mov [edx + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jb .fill_pd
    ; identity: PML4[0] -> pdpt_low, pdpt_low[0..3] -> pd0..3
    mov eax, PHYS(boot_pdpt_low) + 3
    mov [PHYS(boot_pml4)], eax
    mov eax, PHYS(boot_pd) + 3
    mov [PHYS(boot_pdpt_low)], eax
    add eax, 4096
    mov [PHYS(boot_pdpt_low) + 8], eax
    add eax, 4096
    mov [PHYS(boot_pdpt_low) + 16], eax
    add eax, 4096
    mov [PHYS(boot_pdpt_low) + 24], eax
    ; kernel window: PML4[511] -> pdpt_high, pdpt_high[510..511] -> pd_high
    mov eax, PHYS(boot_pdpt_high) + 3
    mov [PHYS(boot_pml4) + 511 * 8], eax
    mov eax, PHYS(boot_pd_high) + 3
    mov [PHYS(boot_pdpt_high) + 510 * 8], eax
    add eax, 4096
    mov [PHYS(boot_pdpt_high) + 511 * 8], eax

    mov eax, cr4
    or eax, 1 << 5                       ; PAE
    mov cr4, eax
    mov eax, PHYS(boot_pml4)
    mov cr3, eax
    mov ecx, 0xC0000080                  ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)         ; LME | NXE
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16) | 1    ; PG | WP | PE
    mov cr0, eax
    lgdt [PHYS(gdt64_ptr)]
    jmp 0x08:PHYS(long_mode_low)

; Print the message at EAX (physical) on VGA, COM1 and debugcon, then halt
; forever. Uses no stack: it may run where there is none.
boot_fail32:
    mov ebx, eax
    mov esi, ebx
    mov edi, 0xB8000
.vga:
    lodsb
    test al, al
    jz .serial
    mov ah, 0x4F                         ; white on red
    stosw
    jmp .vga
.serial:
    mov esi, ebx
.next_char:
    lodsb
    test al, al
    jz .halt
    mov cl, al
    mov dx, 0x3FD                        ; line status: wait for THR empty
.wait_thr:
    in al, dx
    test al, 0x20
    jz .wait_thr
    mov al, cl
    mov dx, 0x3F8
    out dx, al
    out 0xE9, al                         ; QEMU's debugcon (nothing there otherwise)
    jmp .next_char
.halt:
    cli
    hlt
    jmp .halt

bits 64
long_mode_low:
    mov rax, long_mode_high
    jmp rax

section .text
bits 64
long_mode_high:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    mov edi, edi                         ; zero-extend magic and info pointer
    mov esi, esi
    xor ebp, ebp                         ; ends the backtrace
    call kernel_main
.hang:
    cli
    hlt
    jmp .hang

; The UEFI loader jumps only to an entry preceded by this signature
; (SECOS_UEFI_ENTRY_SIGNATURE in include/secos/boot_info.h).
align 16
    times 8 db 0
    db "SECoS64E"
_uefi_start:
    cli
    cld
    lea rsp, [rel boot_stack_top]
    mov rsi, rdi                         ; boot info (physical, identity-mapped)
    xor edi, edi                         ; magic 0 = our UEFI loader
    xor ebp, ebp
    call kernel_main
.hang:
    cli
    hlt
    jmp .hang
boot_high_end:

; For debuggers: a DWARF frame description of long_mode_high.._uefi_start
; saying the return address is undefined, so an unwinder (gdb's `bt`) ends
; at the entry stub instead of reading on into the boot stack. This file is
; assembled without NASM's own DWARF (the Makefile says why).
section .debug_frame noalloc noexec nowrite align=8
boot_cie:
    dd .end - .start
.start:
    dd 0xffffffff                        ; CIE id
    db 1, 0                              ; version 1, augmentation ""
    db 1, 0x78, 16                       ; code align 1, data align -8, return address = rip
    db 0x0c, 7, 8                        ; DW_CFA_def_cfa rsp+8
    db 0x07, 16                          ; DW_CFA_undefined rip
    align 8, db 0                        ; DW_CFA_nop
.end:
    dd .fde_end - .fde_start
.fde_start:
    dd boot_cie                          ; the CIE's offset in .debug_frame
    dq long_mode_high
    dq boot_high_end - long_mode_high
    align 8, db 0
.fde_end:

section .rodata
msg_no_multiboot: db "SECoS: not started by a Multiboot loader; halting.", 0
msg_no_long_mode: db "SECoS: this CPU has no 64-bit long mode; halting.", 0
msg_no_nx:        db "SECoS: this CPU has no NX bit (required for W^X); halting.", 0
msg_no_memory:    db "SECoS: not enough memory: at least 4 MiB of RAM is needed (the boot stack would not be RAM); halting.", 0

align 16
gdt64:
    dq 0
    dq 0x00AF9A000000FFFF                ; 0x08: 64-bit code
    dq 0x00CF92000000FFFF                ; 0x10: data
gdt64_ptr:
    dw gdt64_ptr - gdt64 - 1
    dd PHYS(gdt64)

section .kaslr_relocs progbits alloc noexec nowrite align=4
kaslr_relocs:   times KASLR_RELOCS_SIZE db 0   ; filled after the link (tools/mkrelocs.py)

section .data
align 8
boot_kaslr_slide: dq 0                   ; the Multiboot entry's slide (init/main.c reads it)

section .bss
align 4096
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4096 * 4
boot_pd_high:   resb 4096 * 2
boot_stack_bottom:
                resb 16384
boot_stack_top:

; crt0 for SECoS user programs: the ELF entry point.
;
; Stack at entry, as the kernel builds it (rsp 16-byte aligned is NOT assumed):
;   [rsp]            argc            (8 bytes)
;   [rsp + 8]        argv[0]         (pointers into the string area above)
;   ...
;   [rsp + 8*argc]   argv[argc-1]
;   [rsp + 8*argc+8] NULL
;   higher up        the NUL-terminated argument strings
; All other registers are unspecified; nothing else is passed.

bits 64
default rel

section .text.start progbits alloc exec nowrite align=16
global _start
extern main
extern exit

_start:
    xor ebp, ebp            ; outermost frame: ends frame-pointer walks
    mov rdi, [rsp]          ; argc
    lea rsi, [rsp + 8]      ; argv
    and rsp, -16            ; SysV ABI: rsp % 16 == 0 before the call
    call main
    mov edi, eax            ; main's return value is the exit status
    call exit               ; never returns
    ud2                     ; if it does, fault instead of running off the end

; No executable stack: without this note the linker would assume one.
section .note.GNU-stack noalloc noexec nowrite progbits

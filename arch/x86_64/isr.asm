; Interrupt and exception entry stubs. Each stub makes the stack look the same
; (error code or a dummy 0, then the vector), and isr_common saves all 15
; general-purpose registers so C sees one struct trapframe.

extern interrupt_dispatch
global isr_stub_table

section .text
bits 64

%macro ISR_NOERR 1
isr_%1:
    push 0
    push %1
    jmp isr_common
%endmacro

%macro ISR_ERR 1
isr_%1:
    push %1
    jmp isr_common
%endmacro

; Exceptions that push an error code: 8, 10-14, 17, 21, 29, 30.
%assign i 0
%rep 48
  %if i == 8 || (i >= 10 && i <= 14) || i == 17 || i == 21 || i == 29 || i == 30
    ISR_ERR i
  %else
    ISR_NOERR i
  %endif
  %assign i i + 1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    ; Keep the C call 16-byte aligned whatever the interrupted stack was.
    mov rbx, rsp
    and rsp, -16
    call interrupt_dispatch
    mov rsp, rbx
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                          ; vector + error code
    iretq

section .rodata
align 8
isr_stub_table:
%assign i 0
%rep 48
    dq isr_ %+ i
  %assign i i + 1
%endrep

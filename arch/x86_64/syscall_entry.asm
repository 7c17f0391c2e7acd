; The SYSCALL fast path.
;
; SYSCALL leaves rip in rcx and rflags in r11 and does not switch stacks, so
; the entry borrows the per-CPU block through KERNEL_GS_BASE (swapgs) to save
; the user rsp and load this task's kernel stack, then builds the same
; struct trapframe the interrupt path builds. FMASK has already cleared IF,
; TF, DF, AC and NT. The kernel itself never uses GS, so the second swapgs
; comes right away and nothing needs undoing on the way out.

%define PERCPU_KERNEL_RSP 0
%define PERCPU_USER_RSP   8
%define PERCPU_USER_WORK  32
%define USER_CS (0x20 | 3)
%define USER_SS (0x18 | 3)
%define SYSCALL_VECTOR 0x100                 ; marks a SYSCALL-instruction frame

%include "trapframe.inc"

global syscall_entry
extern trap_syscall_handler, syscall_entry_bad_return, syscall_entry_counts
extern isr_return, percpu0

section .text
bits 64

syscall_entry:
    swapgs
    mov [gs:PERCPU_USER_RSP], rsp
    mov rsp, [gs:PERCPU_KERNEL_RSP]
    push USER_SS
    push qword [gs:PERCPU_USER_RSP]
    swapgs
    push r11                                 ; user rflags
    push USER_CS
    push rcx                                 ; user rip
    push 0                                   ; error code slot
    push SYSCALL_VECTOR
    PUSH_GPRS
    mov rdi, rsp
    xor ebp, ebp                             ; backtraces stop at the user boundary
    inc qword [rel syscall_entry_counts + 8]
    call [rel trap_syscall_handler]          ; kernel stacks are 16-byte aligned here

    ; Return. sysretq trusts rcx/r11 completely, so anything unusual (a frame
    ; rewritten to another cs/ss, a non-canonical rip: the classic SYSRET #GP
    ; in ring 0 with the user's rsp) leaves through iretq instead, and so
    ; does a return with work for the user-return hook (isr_return calls it;
    ; a rewritten frame needs iretq to restore rcx and r11).
    cli
    mov rcx, [rsp + 17 * 8]                  ; rip
    mov r11, rcx
    shr r11, 47                              ; bits 63..47 must all be 0 for a user rip,
    or r11, [rel percpu0 + PERCPU_USER_WORK] ; and no work may wait: one test for both
    jnz .unusual
    cmp qword [rsp + 18 * 8], USER_CS
    jne .slow
    cmp qword [rsp + 21 * 8], USER_SS
    jne .slow
    POP_GPRS                                 ; rcx and r11 are overwritten below
    add rsp, 16                              ; vector, error code
    pop rcx                                  ; rip
    add rsp, 8                               ; cs
    pop r11                                  ; rflags
    pop rsp                                  ; user rsp: interrupts are off until sysretq
    o64 sysret
.unusual:
    cmp qword [rel percpu0 + PERCPU_USER_WORK], 0
    je .bad_rip                              ; no work: it was the rip
.slow:
    jmp isr_return                           ; checks the rip again after the hook
.bad_rip:
    mov rdi, rsp
    call syscall_entry_bad_return                  ; kills the process: does not return

; Interrupt and exception entry stubs. Each stub makes the stack look the same
; (error code or a dummy 0, then the vector), and isr_common saves all 15
; general-purpose registers so C sees one struct trapframe.

%include "trapframe.inc"

extern interrupt_dispatch, syscall_entry_bad_return, trap_user_return_hook, percpu0
%define PERCPU_USER_WORK 32
global isr_stub_table, isr_syscall_int80, isr_return

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

; INT 0x80: the legacy syscall gate (DPL 3). Same frame as every interrupt.
isr_syscall_int80:
    push 0
    push 0x80
    jmp isr_common

isr_common:
    PUSH_GPRS
    cld
    ; Coming from ring 3, the user's RFLAGS.AC would switch SMAP off for the
    ; whole kernel path: clear it (interrupt gates clear IF/TF/NT, not AC).
    test qword [rsp + 18 * 8], 3         ; saved CS
    jz .from_kernel
    pushfq
    and qword [rsp], ~(1 << 18)
    popfq
.from_kernel:
    mov rdi, rsp
    ; Keep the C call 16-byte aligned whatever the interrupted stack was.
    mov rbx, rsp
    and rsp, -16
    call interrupt_dispatch
    mov rsp, rbx
; Also the first return to user mode of a new process: rsp = its trapframe.
; Every IRETQ to ring 3 passes here, so this is where a non-canonical user
; rip is caught: IRETQ would raise #GP in ring 0 on it. The loader never
; maps code on the last user page, so only a rewritten frame could get here;
; the process dies instead of the kernel.
; Before ring 3, pending work (a signal, a kill) goes to the user-return hook,
; which may rewrite the frame: the checks run again on what it left.
isr_return:
    test qword [rsp + 18 * 8], 3         ; saved CS: back to ring 3?
    jz .restore
    mov rax, [rsp + 17 * 8]              ; saved rip (rax is restored below)
    shr rax, 47                          ; bits 63..47 must all be 0 for a user rip,
    or rax, [rel percpu0 + PERCPU_USER_WORK] ; and no work may wait: one test for both
    jnz .unusual
.restore:
    POP_GPRS
    add rsp, 16                          ; vector + error code
    iretq
.unusual:
    cmp qword [rel percpu0 + PERCPU_USER_WORK], 0
    je .bad_user_rip                     ; no work: it was the rip
    mov rdi, rsp
    mov rbx, rsp                         ; the user's rbx is in the frame
    and rsp, -16
    call [rel trap_user_return_hook]     ; returns with interrupts off
    mov rsp, rbx
    jmp isr_return
.bad_user_rip:
    mov rdi, rsp
    and rsp, -16
    call syscall_entry_bad_return              ; kills the process: does not return

section .rodata
align 8
isr_stub_table:
%assign i 0
%rep 48
    dq isr_ %+ i
  %assign i i + 1
%endrep

; Kernel context switch and the first entry of new tasks.
;
; context_switch(uint64_t *save_rsp, uint64_t new_rsp): pushes the callee-saved
; registers on the current kernel stack, stores rsp in *save_rsp, loads
; new_rsp and pops the other task's registers. Every task's saved context is
; just its kernel stack pointer: nothing is copied between stacks.
;
; Loading the FS selector clears the FS base (Intel, QEMU; AMD keeps the old
; one), so the base of the task being resumed (its TLS pointer,
; percpu0.fs_base, set by the scheduler) is written after it whenever either
; task's base is not 0 (percpu0.fs_reload): switches between tasks without
; TLS, all SECoS programs, skip the wrmsr. New tasks pass through here too,
; so they start with theirs.

%define MSR_FS_BASE 0xC0000100
%define PERCPU_FS_BASE 16
%define PERCPU_FS_RELOAD 24

global context_switch, kthread_trampoline, user_trampoline
extern isr_return, percpu0

section .text
bits 64

context_switch:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov ax, ds
    push rax
    mov ax, es
    push rax
    mov ax, fs
    push rax
    mov ax, gs
    push rax
    mov [rdi], rsp
    mov rsp, rsi
    pop rax
    mov gs, ax
    pop rax
    mov fs, ax
    pop rax
    mov es, ax
    pop rax
    mov ds, ax
    cmp qword [rel percpu0 + PERCPU_FS_RELOAD], 0
    je .fs_done
    mov ecx, MSR_FS_BASE
    mov eax, [rel percpu0 + PERCPU_FS_BASE]
    mov edx, [rel percpu0 + PERCPU_FS_BASE + 4]
    wrmsr
.fs_done:
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

; A new kernel thread "returns" here with its entry function in r12 and its
; argument in r13.
kthread_trampoline:
    sti
    mov rdi, r13
    xor ebp, ebp
    call r12
    ud2                                  ; kernel threads never return

; A new user process "returns" here with rsp at its trapframe: leave through
; the normal interrupt return path (pop registers, iretq to ring 3).
user_trampoline:
    jmp isr_return

/* The console input queue: one ring of bytes filled by the serial port and
 * the PS/2 keyboard from their interrupt handlers, read by whoever owns the
 * console (the kernel shell, or a program reading fd 0). */
#ifndef KERNEL_INPUT_H
#define KERNEL_INPUT_H
#include <stdint.h>

void console_input_init(void);
/* Called from interrupt context. */
void console_input_push(uint8_t byte);
uint32_t console_input_room(void);       /* free bytes in the input ring */
/* The serial driver pauses receiving while the ring is full; this hook,
 * registered by it, resumes receiving once a byte was taken out. Called with
 * interrupts off. */
void console_input_set_resume_hook(void (*fn)(void));
/* Ctrl-C (0x03) goes to this hook instead of the queue while one is set
 * (the console sets it while it waits for a program). Called from interrupt
 * context; 0 removes it. */
void console_input_set_interrupt_hook(void (*fn)(void));
/* Called (interrupts off) after every byte that arrives: fs registers
 * file_poll_notify, so poll/select on the console wake. */
void console_input_set_arrival_hook(void (*fn)(void));
int console_input_available(void);       /* bytes waiting in the ring */
/* Wakes whoever waits in console_wait_input without a byte (the console
 * redraws its prompt after program output). */
void console_input_kick(void);
/* 1 and a byte, or 0 after a console_input_kick(); sleeps until either. */
int console_wait_input(uint8_t *byte);
/* Blocks (sleeps) until a byte is available: 0 and the byte, or -EINTR
 * when a signal arrived first (user processes only). */
int console_getc(uint8_t *byte);
int console_try_getc(uint8_t *byte);     /* 0 and a byte, or -1 when empty */

#endif

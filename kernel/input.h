/* The console input queue: one ring of bytes filled by the serial port and
 * the PS/2 keyboard from their interrupt handlers, read by the kernel
 * console, or passed on to the terminal's line discipline while a user
 * session owns the console (the receiver below). */
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
/* While a receiver is set (the terminal, tty/tty.c, when a user session
 * owns the console), every byte goes to it instead of the queue, and
 * console_input_room() is its room: exactly one reader takes input. Setting
 * one hands it what the queue holds first (typed ahead, in order); after
 * clearing it (0), bytes queue again. put and room run with interrupts off. */
struct console_input_receiver {
    void (*put)(uint8_t byte);
    uint32_t (*room)(void);
};
void console_input_set_receiver(const struct console_input_receiver *r);
/* The receiver made room: the serial driver may take bytes again. */
void console_input_resume(void);
/* Wakes whoever waits in console_wait_input without a byte (the console
 * redraws its prompt after program output). */
void console_input_kick(void);
/* 1 and a byte, or 0 after a console_input_kick(); sleeps until either. */
int console_wait_input(uint8_t *byte);

#endif

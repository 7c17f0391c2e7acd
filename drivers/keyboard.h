/* PS/2 keyboard on IRQ1: scancode set 1, US layout, shift and caps lock.
 * Decoded characters go to console_input_push(). */
#ifndef DRIVERS_KEYBOARD_H
#define DRIVERS_KEYBOARD_H
#include <stdint.h>

void keyboard_init(void);
void keyboard_irq(void); /* called by the IRQ1 handler; reads port 0x60 */

#endif

#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H
#include <stdint.h>

int serial_init(void);           /* COM1, 115200 8N1; returns -1 if no UART answers */
void serial_putc(char c);
void serial_enable_rx_irq(void); /* IRQ4 feeds console_input_push */
int serial_present(void);
void serial_resume_rx(void);     /* the console ring has room again: unmask RX (interrupts off) */

#endif

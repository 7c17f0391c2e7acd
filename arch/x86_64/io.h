/* Port I/O. Only ring 0 may use these (IOPL stays 0 for user space). */
#ifndef ARCH_X86_64_IO_H
#define ARCH_X86_64_IO_H
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
/* n 16-bit words between a port and memory (ATA PIO data). */
static inline void insw(uint16_t port, void *dst, uint32_t n) {
    __asm__ volatile("rep insw" : "+D"(dst), "+c"(n) : "d"(port) : "memory");
}
static inline void outsw(uint16_t port, const void *src, uint32_t n) {
    __asm__ volatile("rep outsw" : "+S"(src), "+c"(n) : "d"(port) : "memory");
}
/* Port 0x80 is the POST-code port: writing it takes ~1 us on real chipsets. */
static inline void io_wait(void) { outb(0x80, 0); }

#endif

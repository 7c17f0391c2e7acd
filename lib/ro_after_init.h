/* Data written only while the kernel boots: placed in its own page-aligned
 * section and remapped read-only (W cleared, NX kept) by
 * paging_seal_ro_after_init() just before the shell starts. A later write,
 * even from ring 0, is a page fault: an attacker who gains a kernel write
 * primitive cannot redirect the IDT or GDT. */
#ifndef LIB_RO_AFTER_INIT_H
#define LIB_RO_AFTER_INIT_H
#define __ro_after_init __attribute__((section(".data.ro_after_init")))
#endif

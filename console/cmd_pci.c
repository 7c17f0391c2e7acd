/* lspci: every PCI function found at boot. */
#include "console/shell.h"
#include "drivers/pci.h"
#include "lib/console_out.h"

static int cmd_lspci(int argc, char **argv) {
    (void)argv;
    if (argc > 1) { kprintf("usage: lspci\n"); return 1; }
    for (uint32_t i = 0; i < pci_count(); i++) {
        const struct pci_dev *d = pci_at(i);
        kprintf("%02x:%02x.%x %04x:%04x %02x%02x %s", d->bus, d->dev, d->fn, d->vendor, d->device, d->class_code,
                d->subclass, pci_class_name(d->class_code, d->subclass, d->prog_if));
        if (d->irq_line < 16) kprintf(" irq %u\n", d->irq_line);
        else kprintf(" irq -\n");
    }
    kprintf("%u functions\n", pci_count());
    return 0;
}
SHELL_COMMAND(lspci, "lspci", "lspci", "list the PCI functions: bus:dev.fn vendor:device class name irq", cmd_lspci);

UNIT_TESTS += pci
UNIT_SRCS_pci := tests/unit/test_pci.c drivers/pci_acpi.c drivers/pci_bar.c

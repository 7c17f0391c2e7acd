# SECoS boot images, included by the top-level Makefile (make esp, make iso).
# The scripts do the work and can be run alone; see their headers.
#
#   $(BUILD)/esp.img    FAT32 EFI System Partition: /EFI/BOOT/BOOTX64.EFI
#                       (our loader) + /kernel.elf          tools/mkesp.sh
#   $(BUILD)/secos.iso  hybrid ISO: BIOS CD/disk -> GRUB -> multiboot2, and
#                       UEFI CD/disk -> the esp.img above   tools/mkiso.sh
#
# Boot checks: `make smoke` (all paths) or `make smoke-<mode>`, mode one of
# kernel mb2 mb2-disk uefi uefi-esp (tools/smoke.sh).

$(BUILD)/esp.img: $(BUILD)/BOOTX64.EFI $(BUILD)/kernel.elf tools/mkesp.sh
	tools/mkesp.sh $(BUILD)/BOOTX64.EFI $(BUILD)/kernel.elf $@

$(BUILD)/secos.iso: $(BUILD)/kernel.elf $(BUILD)/esp.img boot/grub.cfg tools/mkiso.sh
	tools/mkiso.sh $(BUILD)/kernel.elf $(BUILD)/esp.img boot/grub.cfg $@

SMOKE_MODES   := kernel mb2 mb2-disk uefi uefi-esp
SMOKE_TIMEOUT ?= 45
.PHONY: smoke $(addprefix smoke-,$(SMOKE_MODES))
smoke: $(addprefix smoke-,$(SMOKE_MODES))
smoke-kernel: $(BUILD)/kernel.elf
smoke-mb2 smoke-mb2-disk smoke-uefi: $(BUILD)/secos.iso
smoke-uefi-esp: $(BUILD)/esp.img
$(addprefix smoke-,$(SMOKE_MODES)):
	BUILD=$(BUILD) tools/smoke.sh --$(@:smoke-%=%) --timeout $(SMOKE_TIMEOUT)

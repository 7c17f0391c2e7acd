# SECoS boot images, included by the top-level Makefile (make esp, make iso).
# The scripts do the work and can be run alone; see their headers.
#
#   $(BUILD)/initrd.cpio  cpio newc archive: bin/<prog> for every user
#                       program, etc/motd                   tools/mkinitrd.sh
#   $(BUILD)/esp.img    FAT32 EFI System Partition: /EFI/BOOT/BOOTX64.EFI
#                       (our loader) + /kernel.elf + /initrd.cpio  tools/mkesp.sh
#   $(BUILD)/secos.iso  hybrid ISO: BIOS CD/disk -> GRUB -> multiboot2 with
#                       /boot/initrd.cpio as a module, and
#                       UEFI CD/disk -> the esp.img above   tools/mkiso.sh
#
# Boot checks: `make smoke` (all paths) or `make smoke-<mode>`, mode one of
# kernel mb2 mb2-disk uefi uefi-esp (tools/smoke.sh).

# USER_ELFS comes from user/user.mk, included before this file.
.PHONY: initrd
initrd: $(BUILD)/initrd.cpio
	@:

$(BUILD)/initrd.cpio: $(USER_ELFS) user/user.mk tools/mkinitrd.sh
	$(Q)tools/mkinitrd.sh $@ $(USER_ELFS)

$(BUILD)/esp.img: $(BUILD)/BOOTX64.EFI $(BUILD)/kernel.elf $(BUILD)/initrd.cpio tools/mkesp.sh
	$(Q)tools/mkesp.sh $(BUILD)/BOOTX64.EFI $(BUILD)/kernel.elf $@ $(BUILD)/initrd.cpio

$(BUILD)/secos.iso: $(BUILD)/kernel.elf $(BUILD)/esp.img $(BUILD)/initrd.cpio boot/grub.cfg tools/mkiso.sh
	$(Q)tools/mkiso.sh $(BUILD)/kernel.elf $(BUILD)/esp.img boot/grub.cfg $@ $(BUILD)/initrd.cpio

SMOKE_MODES   := kernel mb2 mb2-disk uefi uefi-esp
SMOKE_TIMEOUT ?= 90
.PHONY: smoke $(addprefix smoke-,$(SMOKE_MODES))
smoke: $(addprefix smoke-,$(SMOKE_MODES))
smoke-kernel: $(BUILD)/kernel.elf
smoke-mb2 smoke-mb2-disk smoke-uefi: $(BUILD)/secos.iso
smoke-uefi-esp: $(BUILD)/esp.img
$(addprefix smoke-,$(SMOKE_MODES)):
	$(Q)BUILD=$(BUILD) tools/smoke.sh --$(@:smoke-%=%) --timeout $(SMOKE_TIMEOUT)

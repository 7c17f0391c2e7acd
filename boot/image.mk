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

# Debian's busybox-static, when installed, goes in as /bin/busybox (its
# applets run as `busybox <applet>`; `busybox sh` re-executes itself through
# /proc/self/exe). EXTRA=<dir> adds a directory tree of the user's own files
# and programs at the archive root (make initrd EXTRA=~/mine).
BUSYBOX ?= $(firstword $(wildcard /bin/busybox))
# The test configuration adds tests/data/initrd (the busybox comparison's
# files under /data, a scratch /tmp).
# The trust list (fs/trust.h): /etc/secos/trusted.sha256 holds the SHA-256 of
# each program named in TRUST_EXTRA (files on the build machine) that may run
# from a disk or a file written at run time; the initrd's own programs need
# no entry. The test configuration trusts musl_hello (test_trust.py).
TRUST_EXTRA ?= $(if $(filter 1,$(TEST_CONFIG)),$(if $(MUSL_PROGS),$(BUILD)/user/musl/musl_hello))
TRUST_LIST := $(BUILD)/trusted.sha256
INITRD_EXTRA := etc/secos/trusted.sha256=$(TRUST_LIST) $(if $(BUSYBOX),bin/busybox=$(BUSYBOX)) $(if $(filter 1,$(TEST_CONFIG)),tests/data/initrd) \
    $(if $(LXBENCH),bin/lxbench=$(word 1,$(LXBENCH)) exit0=$(word 2,$(LXBENCH))) $(MUSL_INITRD_EXTRA) $(EXTRA)
$(BUILD)/initrd.cpio: $(TRUST_LIST) $(USER_ELFS) $(MUSL_PROGS) $(MUSL_SBIN) $(LXBENCH) $(NETD) user/user.mk tools/mkinitrd.sh $(BUSYBOX) $(BUILD)/.initrd-inputs \
		$(if $(filter 1,$(TEST_CONFIG)),$(shell find tests/data/initrd -type f))
	$(Q)tools/mkinitrd.sh $@ $(USER_ELFS) $(MUSL_PROGS) $(INITRD_EXTRA)

# Rewritten when a trusted program or the TRUST_EXTRA list changes (cmp keeps
# the file, and so the initrd, as they are otherwise).
$(TRUST_LIST): $(TRUST_EXTRA) FORCE
	@mkdir -p $(dir $@)
	@{ echo "# SHA-256 of the programs trusted outside the initrd (TRUST_EXTRA); fs/trust.h"; \
	   for f in $(TRUST_EXTRA); do printf '%s  %s\n' "$$(sha256sum < "$$f" | cut -d' ' -f1)" "$$(basename "$$f")"; done; } > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# Changes when EXTRA (or anything in it) or the busybox choice changes, so
# the archive is rebuilt exactly then.
$(BUILD)/.initrd-inputs: FORCE
	@mkdir -p $(BUILD)
	@{ echo "$(INITRD_EXTRA)"; for d in $(EXTRA); do find "$$d" -printf '%p %s %T@\n' | LC_ALL=C sort; done; } > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/esp.img: $(ESP_EFI) $(BUILD)/.esp-loader $(BUILD)/kernel.elf $(BUILD)/initrd.cpio tools/mkesp.sh
	$(Q)tools/mkesp.sh $(ESP_EFI) $(BUILD)/kernel.elf $@ $(BUILD)/initrd.cpio

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

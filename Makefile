# SECoS top-level build. Outputs go under build/ and are never committed.
# Sub-makefiles add their own rules: uefi/uefi.mk (loader), boot/image.mk
# (ISO + ESP images), tests/unit/unit.mk (host unit tests).

# Two configurations of one tree (README, "Configurations"):
#   CONFIG=release (default)  what a user boots: no crash tests, demos,
#                             benchmark buffers or attack programs
#   CONFIG=test               release + that scaffolding; make check builds it
#                             in build/test and boots it
CONFIG     ?= release
# Plain `make` builds the kernel, the loader and the images (`all` below),
# whatever the included fragments define first.
.DEFAULT_GOAL := all
ifeq ($(CONFIG),test)
BUILD      ?= build/test
TEST_CONFIG := 1
else ifeq ($(CONFIG),release)
BUILD      ?= build
TEST_CONFIG := 0
else
$(error CONFIG must be release or test, not '$(CONFIG)')
endif
# make cannot name a file whose path has a space in it. Such a BUILD is
# reached through a symbolic link without spaces (.build-links/<hash>): the
# outputs land in the folder that was asked for.
BUILD_DIR := $(BUILD)
ifneq ($(word 2,$(BUILD)),)
override BUILD := .build-links/$(shell printf '%s' '$(BUILD_DIR)' | md5sum | cut -c1-12)
$(if $(shell mkdir -p '$(BUILD_DIR)' .build-links && ln -sfn "$$(cd '$(BUILD_DIR)' && pwd)" $(BUILD) && echo ok),,\
    $(error cannot create '$(BUILD_DIR)' or the link $(BUILD) to it))
endif
include tools/quiet.mk
CC         := gcc
LD         := ld
NASM       := nasm
OBJCOPY    := objcopy
PYTHON     ?= /usr/bin/python3
QEMU       ?= qemu-system-x86_64
CFLAGS_EXTRA ?=

KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
    -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
    -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
    -fno-omit-frame-pointer -fstack-protector-strong -mstack-protector-guard=global \
    -fno-asynchronous-unwind-tables -Iinclude -I. -I$(BUILD)/gen \
    -DSECOS_TEST_CONFIG=$(TEST_CONFIG) $(CFLAGS_EXTRA)
# --emit-relocs: kernel.elf keeps the relocation records of its sections, so
# the UEFI loader can slide the image (KASLR, uefi/elf_reloc.h); the records
# of the debug sections are dropped after the link (nothing loads them).
KERNEL_LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-relax --emit-relocs \
    -T boot/linker.ld
NASMFLAGS := -f elf64 -g -F dwarf -Iarch/x86_64/

# Every kernel source; one layer or subsystem per folder (docs/ARCHITECTURE.md).
# The selftests are in every configuration; tests/kernel/test_*.c only in test.
KERNEL_DIRS := lib boot arch/x86_64 mm kernel block net fs drivers dspace tty socket console init
KERNEL_C   := $(sort $(wildcard $(addsuffix /*.c,$(KERNEL_DIRS)) tests/kernel/selftests_*.c))
KERNEL_TEST_C := tests/kernel/crashtest.c tests/kernel/kbench.c tests/kernel/demos.c tests/kernel/memhog.c tests/kernel/blkfill.c tests/kernel/blkbench.c tests/kernel/atatest.c tests/kernel/canaryfp.c
ifeq ($(TEST_CONFIG),1)
KERNEL_C   += $(KERNEL_TEST_C)
endif
KERNEL_ASM := $(sort $(wildcard arch/x86_64/*.asm))
KERNEL_OBJ := $(patsubst %.c,$(BUILD)/k/%.o,$(KERNEL_C)) \
              $(patsubst %.asm,$(BUILD)/k/%.o,$(KERNEL_ASM)) \
              $(BUILD)/k/gen/font.o $(BUILD)/k/gen/version.o

# User programs first: the kernel embeds them (USER_EMBED_OBJS).
-include user/user.mk

.PHONY: all kernel user uefi iso esp check unit selftest qemu-test run run-serial run-iso \
        run-uefi run-vnc run-gui debug clean deps FORCE
# What the README's `make` builds: the kernel (with the user programs), the
# UEFI loader, the initrd and both images.
all: kernel uefi initrd iso esp

# The empty recipes (@:) keep make from saying "Nothing to be done for ..."
# when a goal is already up to date.
kernel: $(BUILD)/kernel.elf
	@:

$(BUILD)/kernel.elf: $(KERNEL_OBJ) $(USER_EMBED_OBJS) boot/linker.ld tools/check_kernel_layout.py tools/mkrelocs.py
	$(quiet) LD $@
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@.tmp $(KERNEL_OBJ) $(USER_EMBED_OBJS)
	$(Q)$(OBJCOPY) --remove-section='.rela.debug*' $@.tmp
	$(Q)$(PYTHON) tools/mkrelocs.py $@.tmp $@.relocs 65536
	$(Q)$(OBJCOPY) --update-section .kaslr_relocs=$@.relocs $@.tmp
	$(Q)rm -f $@.relocs
	$(Q)$(PYTHON) tools/check_kernel_layout.py $@.tmp
	$(Q)mv $@.tmp $@

# Objects follow the flags: changing CFLAGS_EXTRA (or the flags themselves)
# rebuilds everything instead of silently mixing old and new objects.
$(BUILD)/k/.cflags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(KERNEL_CFLAGS)' | cmp -s - $@ || echo '$(KERNEL_CFLAGS)' > $@

$(BUILD)/k/%.o: %.c $(BUILD)/k/.cflags
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# NASM's DWARF gives a file one address range, its first section's: boot.asm's
# .text code (long_mode_high, _uefi_start) would sit in the line table but
# outside its unit, and gdb warns "pc ... in address map, but not in symtab"
# at every stop there. boot.asm goes without it (symbols, and its own frame
# description, are enough); the other .asm files have one code section.
$(BUILD)/k/arch/x86_64/boot.o: NASMFLAGS := -f elf64 -Iarch/x86_64/

$(BUILD)/k/%.o: %.asm
	@mkdir -p $(dir $@)
	$(quiet) NASM $<
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

# Build stamp: timestamp and git hash, regenerated only when they change.
$(BUILD)/gen/version.c: FORCE
	@mkdir -p $(dir $@)
	@ts=$$(date -u +%Y-%m-%dT%H:%M:%SZ); \
	 gh=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	 if ! git diff --quiet HEAD 2>/dev/null; then gh=$$gh-dirty; fi; \
	 old=$$(sed -n 's/.*secos_git_hash\[\] = "\(.*\)";/\1/p' $@ 2>/dev/null); \
	 if [ "$$old" != "$$gh" ] || [ ! -f $@ ]; then \
	   printf 'const char secos_build_time[] = "%s";\nconst char secos_git_hash[] = "%s";\n' "$$ts" "$$gh" > $@; \
	 fi

$(BUILD)/gen/font.c: tools/psf2c.py
	@mkdir -p $(dir $@)
	$(quiet) FONT $@
	$(Q)$(PYTHON) tools/psf2c.py $(FONT_PSF) $@

FONT_PSF ?= /usr/share/consolefonts/Lat15-Fixed16.psf.gz

$(BUILD)/k/gen/%.o: $(BUILD)/gen/%.c $(BUILD)/k/.cflags
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

-include $(KERNEL_OBJ:.o=.d)
-include uefi/uefi.mk
-include boot/image.mk
-include tests/unit/unit.mk
-include tests/fuzz/fuzz.mk

uefi: $(BUILD)/BOOTX64.EFI
	@:
iso: $(BUILD)/secos.iso
	@:
esp: $(BUILD)/esp.img
	@:

# --- running ---------------------------------------------------------------
# tools/run.sh does the work: -serial mon:stdio on every path (Ctrl-A X quits),
# per-run temporary files, how to quit printed first. QEMU_EXTRA adds QEMU
# arguments, e.g. make run QEMU_EXTRA="-cpu max".
OVMF_CODE ?= /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS ?= /usr/share/OVMF/OVMF_VARS_4M.fd
QEMU_EXTRA ?=
GDB_PORT ?= 1234
# make run DISK=disk.img [DISK_IF=virtio] [MACHINE=pc|q35]: tools/run.sh says more.
DISK ?=
DISK_IF ?= virtio
MACHINE ?=
RUN_SH = BUILD='$(BUILD)' QEMU='$(QEMU)' QEMU_EXTRA='$(QEMU_EXTRA)' OVMF_CODE='$(OVMF_CODE)' \
    OVMF_VARS='$(OVMF_VARS)' GDB_PORT='$(GDB_PORT)' DISK='$(DISK)' DISK_IF='$(DISK_IF)' MACHINE='$(MACHINE)' \
    tools/run.sh

# Checks (and, as root or with sudo, installs) the Debian packages.
deps:
	@tools/deps.sh

# The serial console right here (a window: make run-gui). The packages are
# checked before anything is built.
run: deps
	@$(MAKE) -s --no-print-directory kernel initrd
	@$(RUN_SH) serial

run-serial: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@$(RUN_SH) serial

run-gui: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@$(RUN_SH) gui

run-iso: $(BUILD)/secos.iso
	@$(RUN_SH) iso

run-uefi: $(BUILD)/secos.iso
	@$(RUN_SH) uefi

run-vnc: $(BUILD)/secos.iso
	@$(RUN_SH) vnc

debug: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@$(RUN_SH) debug

# --- tests -----------------------------------------------------------------
check:
	tools/check.sh

clean:
	rm -rf '$(BUILD_DIR)'
	$(if $(filter .build-links/%,$(BUILD)),rm -f $(BUILD))

# make print-VAR: the value of a make variable (tests/tools use the kernel flags).
print-%:
	@echo '$($*)'

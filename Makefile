# SECoS top-level build. Outputs go under build/ and are never committed.
# Sub-makefiles add their own rules: uefi/uefi.mk (loader), boot/image.mk
# (ISO + ESP images), tests/unit/unit.mk (host unit tests).

# Two configurations of one tree (README, "Configurations"):
#   CONFIG=release (default)  what a user boots: no crash tests, demos,
#                             benchmark buffers or attack programs
#   CONFIG=test               release + that scaffolding; make check builds it
#                             in build/test and boots it
CONFIG     ?= release
ifeq ($(CONFIG),test)
BUILD      ?= build/test
TEST_CONFIG := 1
else ifeq ($(CONFIG),release)
BUILD      ?= build
TEST_CONFIG := 0
else
$(error CONFIG must be release or test, not '$(CONFIG)')
endif
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
KERNEL_LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-relax \
    -T boot/linker.ld
NASMFLAGS := -f elf64 -g -F dwarf -Iarch/x86_64/

# Every kernel source; one layer or subsystem per folder (docs/ARCHITECTURE.md).
# The selftests are in every configuration; tests/kernel/test_*.c only in test.
KERNEL_DIRS := lib boot arch/x86_64 mm kernel fs drivers dspace console init
KERNEL_C   := $(sort $(wildcard $(addsuffix /*.c,$(KERNEL_DIRS)) tests/kernel/selftests_*.c))
KERNEL_TEST_C := tests/kernel/crashtest.c tests/kernel/kbench.c tests/kernel/demos.c tests/kernel/memhog.c
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
        run-uefi run-vnc debug clean deps FORCE
all: kernel

kernel: $(BUILD)/kernel.elf

$(BUILD)/kernel.elf: $(KERNEL_OBJ) $(USER_EMBED_OBJS) boot/linker.ld tools/check_kernel_layout.py
	@echo "  LD      $@"
	@$(LD) $(KERNEL_LDFLAGS) -o $@.tmp $(KERNEL_OBJ) $(USER_EMBED_OBJS)
	@$(PYTHON) tools/check_kernel_layout.py $@.tmp
	mv $@.tmp $@

# Objects follow the flags: changing CFLAGS_EXTRA (or the flags themselves)
# rebuilds everything instead of silently mixing old and new objects.
$(BUILD)/k/.cflags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(KERNEL_CFLAGS)' | cmp -s - $@ || echo '$(KERNEL_CFLAGS)' > $@

$(BUILD)/k/%.o: %.c $(BUILD)/k/.cflags
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/k/%.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

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
	$(PYTHON) tools/psf2c.py $(FONT_PSF) $@

FONT_PSF ?= /usr/share/consolefonts/Lat15-Fixed16.psf.gz

$(BUILD)/k/gen/%.o: $(BUILD)/gen/%.c $(BUILD)/k/.cflags
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

-include $(KERNEL_OBJ:.o=.d)
-include uefi/uefi.mk
-include boot/image.mk
-include tests/unit/unit.mk
-include tests/fuzz/fuzz.mk

uefi: $(BUILD)/BOOTX64.EFI
iso: $(BUILD)/secos.iso
esp: $(BUILD)/esp.img

# --- running ---------------------------------------------------------------
QEMU_COMMON := -m 512M -no-reboot -debugcon file:$(BUILD)/debugcon.log
OVMF_CODE ?= /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS ?= /usr/share/OVMF/OVMF_VARS_4M.fd

# Checks (and, as root or with sudo, installs) the Debian packages.
deps:
	@tools/deps.sh

# A window when a display exists, otherwise the serial console right here.
run: deps
	@$(MAKE) --no-print-directory $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(QEMU) $(QEMU_COMMON) -kernel $(BUILD)/kernel.elf -initrd $(BUILD)/initrd.cpio -serial stdio; \
	else \
	  $(MAKE) --no-print-directory run-serial; \
	fi

run-serial: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@echo "SECoS on the serial console: type 'help'; 'poweroff' (or Ctrl-A X) quits."
	$(QEMU) $(QEMU_COMMON) -kernel $(BUILD)/kernel.elf -initrd $(BUILD)/initrd.cpio -display none -serial mon:stdio

run-iso: $(BUILD)/secos.iso
	$(QEMU) $(QEMU_COMMON) -machine pc -cdrom $(BUILD)/secos.iso -display none -serial mon:stdio

run-uefi: $(BUILD)/secos.iso
	@cp $(OVMF_VARS) $(BUILD)/ovmf_vars.fd
	$(QEMU) $(QEMU_COMMON) -machine q35 \
	  -drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) \
	  -drive if=pflash,format=raw,file=$(BUILD)/ovmf_vars.fd \
	  -cdrom $(BUILD)/secos.iso -display none -serial mon:stdio

run-vnc: $(BUILD)/secos.iso
	@echo "VNC on localhost:5900 (display :0); serial on this terminal."
	$(QEMU) $(QEMU_COMMON) -machine pc -cdrom $(BUILD)/secos.iso -vnc 127.0.0.1:0 -serial mon:stdio

debug: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	@echo "QEMU waits for gdb. In another terminal run:"
	@echo "  gdb $(BUILD)/kernel.elf -ex 'target remote localhost:1234' -ex 'break kernel_main' -ex continue"
	$(QEMU) $(QEMU_COMMON) -kernel $(BUILD)/kernel.elf -initrd $(BUILD)/initrd.cpio -display none -serial mon:stdio -s -S

# --- tests -----------------------------------------------------------------
check:
	tools/check.sh

clean:
	rm -rf $(BUILD)

# make print-VAR: the value of a make variable (tests/tools use the kernel flags).
print-%:
	@echo '$($*)'

# SECoS UEFI loader: $(BUILD)/BOOTX64.EFI, built with gnu-efi (Debian 12:
# 3.0.15). Included by the top-level Makefile; `make uefi` builds it.
#
# gnu-efi's recipe: compile position-independent ELF code, link it as a
# shared object against crt0 (which self-relocates, then calls efi_main with
# the SysV ABI) and convert the result to a PE32+ image with objcopy.
# GNU_EFI_USE_MS_ABI makes EFIAPI = __attribute__((ms_abi)), so firmware
# services are called directly instead of through uefi_call_wrapper().

# Pure lib/ modules the loader shares with the kernel (sha256, string) are built with the loader's flags.
UEFI_SRCS := uefi/main.c uefi/log.c uefi/elf_check.c uefi/elf_reloc.c uefi/mmap_convert.c uefi/paging.c \
    uefi/pin_rules.c uefi/esp_id.c uefi/rng.c
UEFI_OBJS := $(patsubst uefi/%.c,$(BUILD)/uefi/%.o,$(UEFI_SRCS)) $(BUILD)/uefi/lib/sha256.o \
    $(BUILD)/uefi/lib/string.o

# Pins (uefi/pins.h): PIN=1 (default) compiles the SHA-256 of this build's
# kernel.elf and initrd.cpio into BOOTX64.EFI, so the loader refuses any
# other files. PIN=0 builds it unpinned. The test configuration also builds
# BOOTX64-nopin.EFI, for tests that put crafted kernels or initrds on an ESP.
PIN ?= 1
ifeq ($(PIN),1)
UEFI_PINS_OBJ := $(BUILD)/uefi/pins.o
else
UEFI_PINS_OBJ := $(BUILD)/uefi/nopins.o
endif

$(BUILD)/uefi/pins.c: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio tools/mkpins.sh
	@mkdir -p $(dir $@)
	$(quiet) MKPINS $@
	$(Q)tools/mkpins.sh $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $@

$(BUILD)/uefi/nopins.c: tools/mkpins.sh
	@mkdir -p $(dir $@)
	$(Q)tools/mkpins.sh --none $@

$(BUILD)/uefi/pins.o $(BUILD)/uefi/nopins.o: $(BUILD)/uefi/%.o: $(BUILD)/uefi/%.c uefi/pins.h
	$(quiet) CC "$< (UEFI)"
	$(Q)$(CC) $(UEFI_CFLAGS) -c $< -o $@

ifeq ($(TEST_CONFIG),1)
uefi: $(BUILD)/BOOTX64-nopin.EFI
endif

GNUEFI_INC  := /usr/include/efi
GNUEFI_LIB  := /usr/lib
GNUEFI_CRT0 := $(GNUEFI_LIB)/crt0-efi-x86_64.o
GNUEFI_LDS  := $(GNUEFI_LIB)/elf_x86_64_efi.lds

UEFI_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror \
    -ffreestanding -fpic -fshort-wchar -fno-strict-aliasing \
    -fno-stack-protector -fno-stack-check -fno-asynchronous-unwind-tables \
    -mno-red-zone -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI \
    -I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64 -Iinclude -I.
# --no-undefined: a shared link would otherwise accept unresolved symbols
# and the firmware would jump through a null pointer at run time.
UEFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined \
    -T $(GNUEFI_LDS) -L$(GNUEFI_LIB)
LD      ?= ld
OBJCOPY ?= objcopy
UEFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
    -j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc

$(BUILD)/BOOTX64.EFI $(BUILD)/BOOTX64-nopin.EFI: $(BUILD)/%.EFI: $(BUILD)/uefi/%.so
	$(quiet) OBJCOPY $@
	$(Q)$(OBJCOPY) $(UEFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@

$(BUILD)/uefi/BOOTX64.so: $(UEFI_OBJS) $(UEFI_PINS_OBJ) $(GNUEFI_CRT0) $(GNUEFI_LDS)
	$(quiet) LD $@
	$(Q)$(LD) $(UEFI_LDFLAGS) $(GNUEFI_CRT0) $(UEFI_OBJS) $(UEFI_PINS_OBJ) -o $@ -lefi -lgnuefi

$(BUILD)/uefi/BOOTX64-nopin.so: $(UEFI_OBJS) $(BUILD)/uefi/nopins.o $(GNUEFI_CRT0) $(GNUEFI_LDS)
	$(quiet) LD $@
	$(Q)$(LD) $(UEFI_LDFLAGS) $(GNUEFI_CRT0) $(UEFI_OBJS) $(BUILD)/uefi/nopins.o -o $@ -lefi -lgnuefi

$(BUILD)/uefi/%.o: uefi/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC "$< (UEFI)"
	$(Q)$(CC) $(UEFI_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/uefi/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC "$< (UEFI)"
	$(Q)$(CC) $(UEFI_CFLAGS) -MMD -MP -c $< -o $@

-include $(UEFI_OBJS:.o=.d)
include uefi/sign.mk

# Host unit test for the pure modules (ELF checks, memory map conversion,
# page tables); tests/unit/unit.mk builds and runs it.
UNIT_TESTS += uefi_elf
UNIT_SRCS_uefi_elf := tests/unit/test_uefi_elf.c uefi/elf_check.c uefi/elf_reloc.c uefi/mmap_convert.c uefi/paging.c
UNIT_TESTS += pin_rules
UNIT_SRCS_pin_rules := tests/unit/test_pin_rules.c uefi/pin_rules.c

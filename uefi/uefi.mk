# SECoS UEFI loader: $(BUILD)/BOOTX64.EFI, built with gnu-efi (Debian 12:
# 3.0.15). Included by the top-level Makefile; `make uefi` builds it.
#
# gnu-efi's recipe: compile position-independent ELF code, link it as a
# shared object against crt0 (which self-relocates, then calls efi_main with
# the SysV ABI) and convert the result to a PE32+ image with objcopy.
# GNU_EFI_USE_MS_ABI makes EFIAPI = __attribute__((ms_abi)), so firmware
# services are called directly instead of through uefi_call_wrapper().

UEFI_SRCS := uefi/main.c uefi/log.c uefi/elf_check.c uefi/mmap_convert.c uefi/paging.c uefi/esp_id.c uefi/rng.c
# Pure lib/ modules the loader shares with the kernel, built with the loader's flags.
UEFI_LIB_SRCS := lib/sha256.c
UEFI_OBJS := $(patsubst uefi/%.c,$(BUILD)/uefi/%.o,$(UEFI_SRCS)) $(patsubst lib/%.c,$(BUILD)/uefi/lib/%.o,$(UEFI_LIB_SRCS))

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

$(BUILD)/BOOTX64.EFI: $(BUILD)/uefi/loader.so
	$(quiet) OBJCOPY $@
	$(Q)$(OBJCOPY) $(UEFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@

$(BUILD)/uefi/loader.so: $(UEFI_OBJS) $(GNUEFI_CRT0) $(GNUEFI_LDS)
	$(quiet) LD $@
	$(Q)$(LD) $(UEFI_LDFLAGS) $(GNUEFI_CRT0) $(UEFI_OBJS) -o $@ -lefi -lgnuefi

$(BUILD)/uefi/%.o: uefi/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC "$< (UEFI)"
	$(Q)$(CC) $(UEFI_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/uefi/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC "$< (UEFI)"
	$(Q)$(CC) $(UEFI_CFLAGS) -MMD -MP -c $< -o $@

-include $(UEFI_OBJS:.o=.d)

# Host unit test for the pure modules (ELF checks, memory map conversion,
# page tables); tests/unit/unit.mk builds and runs it.
UNIT_TESTS += uefi_elf
UNIT_SRCS_uefi_elf := tests/unit/test_uefi_elf.c uefi/elf_check.c uefi/mmap_convert.c uefi/paging.c

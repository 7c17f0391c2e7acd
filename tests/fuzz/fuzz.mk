# Host fuzzers (clang libFuzzer + ASan + UBSan) for the parsers of untrusted
# input. Included by the top-level Makefile (-include tests/fuzz/fuzz.mk);
# also usable on its own: make -f tests/fuzz/fuzz.mk fuzz-build-cpio
#
#   make fuzz                  every target FUZZ_SECONDS (60) s, FUZZ_JOBS (2) at a time
#   make fuzz FUZZ_SECONDS=600 FUZZ_ONLY="cpio path"
#   make fuzz-check            every target 500,000 inputs with seed 1, at most 60 s
#                              (repeatable, for `make check`: about a minute on 2 cores)
#   make fuzz-build            build only; make fuzz-list: the target names
#   tools/fuzz.sh [--seconds N] [--jobs N] [target...]   the same, by hand
#
# Target <t> is tests/fuzz/fuzz_<t>.c linked with FUZZ_SRCS_<t> and
# lib/string.c, all compiled like the unit tests (-include
# tests/unit/host_rename.h -DSECOS_HOST_TEST -Iinclude -I.). It becomes
# $(BUILD)/fuzz/fuzz_<t>; it runs on $(BUILD)/fuzz/<t>/corpus, seeded from the
# checked-in tests/fuzz/corpus/<t>/ (which the fuzzer never writes to), and
# leaves its log and any crash-* file in $(BUILD)/fuzz/<t>/.
# A crash found and fixed: put the (minimised) input in tests/fuzz/corpus/<t>/
# so every later run replays it first.

BUILD ?= build
include tools/quiet.mk

FUZZ_TARGETS ?= elf_user uefi_elf cpio path shell boot_info escape procfs region sigframe poll_abi shebang cmdline pci_acpi part_mbr part_gpt ata_id ldisc fat exfat net_arp esp pin_rules trustlist ext2 net_sockmsg sockarg \
    $(if $(wildcard dspace/driver_check.c),driver_check)
FUZZ_SRCS_elf_user     := kernel/elf_user.c
FUZZ_SRCS_uefi_elf     := uefi/elf_check.c uefi/elf_reloc.c
FUZZ_SRCS_pin_rules    := uefi/pin_rules.c
FUZZ_SRCS_cpio         := fs/cpio.c
FUZZ_SRCS_path         := fs/path.c
FUZZ_SRCS_procfs       := fs/procfs_text.c lib/printf.c lib/escape.c
FUZZ_SRCS_shell        := console/shell_parse.c
FUZZ_SRCS_boot_info    := boot/boot_info.c
FUZZ_SRCS_escape       := lib/escape.c
FUZZ_SRCS_sigframe     := kernel/sigframe.c
FUZZ_SRCS_region       := mm/region.c
FUZZ_SRCS_ldisc        := tty/ldisc.c tty/termios.c
FUZZ_SRCS_driver_check := dspace/driver_check.c
FUZZ_SRCS_poll_abi     := fs/poll_abi.c
FUZZ_SRCS_shebang      := kernel/shebang.c
FUZZ_SRCS_cmdline      := kernel/cmdline.c
FUZZ_SRCS_esp          := fs/esp_match.c kernel/cmdline.c
FUZZ_SRCS_trustlist    := lib/trustlist.c
FUZZ_SRCS_pci_acpi     := drivers/pci_acpi.c drivers/pci_bar.c
FUZZ_SRCS_part_mbr     := block/part_mbr.c block/part_gpt.c lib/crc32.c
FUZZ_SRCS_part_gpt     := block/part_gpt.c block/part_mbr.c lib/crc32.c
FUZZ_SRCS_ata_id       := drivers/ata_id.c
FUZZ_SRCS_fat          := fs/fat_core.c fs/fat_dir.c
FUZZ_SRCS_exfat        := fs/exfat_core.c fs/exfat_dir.c
FUZZ_SRCS_net_arp      := net/arp.c lib/ipv4_addr.c
FUZZ_SRCS_net_sockmsg  := lib/sockmsg.c
FUZZ_SRCS_sockarg      := socket/sockarg.c
FUZZ_SRCS_ext2         := fs/ext2_core.c fs/ext2_map.c fs/ext2_dir.c fs/ext2_alloc.c fs/ext2_grow.c fs/ext2_dirw.c fs/ext2_ops.c

# lwip: lwIP itself, netd's TCP/IP stack (tests/fuzz/fuzz_lwip.c, options in
# tests/fuzz/lwip/), built from the tree tools/fetch-lwip.sh fetches (Debian's
# source package, the same files as user/netd/netd.mk's LWIP_SRCS). The list
# (fuzz-list, what tools/fuzz.sh asks first) fetches it when missing; without
# it (no network at the first fetch) the target is left out and says so.
LWIP_DIR ?= build/lwip
ifneq ($(filter fuzz-list,$(MAKECMDGOALS)),)
FUZZ_LWIP_OK := $(shell tools/fetch-lwip.sh $(LWIP_DIR) >&2 && echo 1)
else
FUZZ_LWIP_OK := $(if $(wildcard $(LWIP_DIR)/src/core/init.c),1)
endif
ifeq ($(FUZZ_LWIP_OK),1)
FUZZ_TARGETS += lwip
FUZZ_LWIP_L := $(LWIP_DIR)/src
FUZZ_SRCS_lwip := $(addprefix $(FUZZ_LWIP_L)/,core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c \
    core/mem.c core/memp.c core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
    core/tcp_out.c core/timeouts.c core/udp.c core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
    core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c netif/ethernet.c)
# The harness sees lwIP's headers; lwIP's own files are compiled without
# host_rename.h (they use the C library's memcpy and friends), their
# variables in the sections the harness restores after every input.
$(BUILD)/fuzz/obj/lwip/tests/%.o: FUZZ_CFLAGS += -Itests/fuzz/lwip -I$(FUZZ_LWIP_L)/include
$(BUILD)/fuzz/obj/lwip/$(FUZZ_LWIP_L)/%.o: FUZZ_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Itests/fuzz/lwip -I$(FUZZ_LWIP_L)/include \
    -include tests/fuzz/lwip/state_section.h
else
.PHONY: fuzz-build-lwip
fuzz-build-lwip:
	@echo "fuzz lwip: skipped: the lwIP source is not available (tools/fetch-lwip.sh $(LWIP_DIR) failed)"
ifneq ($(filter fuzz-list,$(MAKECMDGOALS)),)
$(shell echo "fuzz lwip: skipped: the lwIP source is not available (tools/fetch-lwip.sh $(LWIP_DIR) failed)" >&2)
endif
endif

FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2
FUZZ_ONLY    ?=
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Iinclude -I. -DSECOS_HOST_TEST -include tests/unit/host_rename.h

.PHONY: fuzz fuzz-check fuzz-build fuzz-list
fuzz:
	@V=$(V) BUILD=$(BUILD) tools/fuzz.sh --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS) $(FUZZ_ONLY)
fuzz-check:
	@V=$(V) BUILD=$(BUILD) tools/fuzz.sh --seconds 60 --runs 500000 --seed 1 --jobs $(FUZZ_JOBS) $(FUZZ_ONLY)
fuzz-build: $(patsubst %,fuzz-build-%,$(FUZZ_TARGETS))
fuzz-list:
	@echo $(FUZZ_TARGETS)

# $(1) = target. Objects are per target (two targets may share a source).
# Our harnesses build with -Werror; the code under test with its warnings shown.
define FUZZ_RULES
FUZZ_OBJS_$(1) := $$(patsubst %.c,$$(BUILD)/fuzz/obj/$(1)/%.o,tests/fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) lib/string.c)
FUZZ_DEPS += $$(FUZZ_OBJS_$(1):.o=.d)
.PHONY: fuzz-build-$(1)
fuzz-build-$(1): $$(BUILD)/fuzz/fuzz_$(1)
$$(BUILD)/fuzz/fuzz_$(1): $$(FUZZ_OBJS_$(1))
	$$(quiet) LD $$@
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$^ -o $$@
$$(BUILD)/fuzz/obj/$(1)/%.o: %.c tests/fuzz/fuzz.mk
	@mkdir -p $$(dir $$@)
	$$(quiet) CC "$$< (fuzz)"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(if $$(filter tests/fuzz/%,$$<),-Werror) -MMD -MP -c $$< -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULES,$(t))))
-include $(FUZZ_DEPS)

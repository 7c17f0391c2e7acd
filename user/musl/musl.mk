# Programs built with Debian's musl-gcc -static (package musl-tools): ordinary
# Linux x86-64 static binaries, run on SECoS with the Linux personality (they
# carry no SECOS manifest). Included by user/user.mk.
#
#   user/musl/<name>.c  ->  $(BUILD)/user/musl/<name>  ->  initrd /bin/<name>
#
# They go into the initrd only (tools/mkinitrd.sh), never into the kernel
# image. Without musl-gcc the list is empty and the initrd has none of them;
# the QEMU tests that need them then fail and say so.
MUSL_CC ?= musl-gcc
MUSL_CFLAGS := -static -O2 -Wall -Wextra -Werror -std=gnu11 -Iinclude -Iuser/lib
# Header dependencies (include/secos/*.h: a manifest flag's value is baked
# into every program's note), one .d per program next to it.
MUSL_DEPFLAGS = -MMD -MP -MT $@ -MF $@.d
MUSL_SRCS := $(sort $(wildcard user/musl/*.c))
ifneq ($(shell command -v $(MUSL_CC) 2>/dev/null),)
MUSL_PROGS := $(patsubst user/musl/%.c,$(BUILD)/user/musl/%,$(MUSL_SRCS)) $(BUILD)/user/musl/sh
endif

.PHONY: musl-progs
musl-progs: $(MUSL_PROGS) $(MUSL_SBIN)
	@:

$(BUILD)/user/musl/%: user/musl/%.c $(wildcard user/musl/*.h)
	@mkdir -p $(dir $@)
	$(quiet) MUSLCC $<
	$(Q)$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_DEPFLAGS) -o $@ $<

# t_netsrv plays a network server: it links the channel's real encoder and
# checks (lib/sockmsg.c) rather than a copy.
$(BUILD)/user/musl/t_netsrv: user/musl/t_netsrv.c lib/sockmsg.c lib/sockmsg.h include/secos/netsrv.h $(wildcard user/musl/*.h)
	@mkdir -p $(dir $@)
	$(quiet) MUSLCC $<
	$(Q)$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_DEPFLAGS) -I. -o $@ $< lib/sockmsg.c

# /sbin/init (user/musl/sbin/init.c): PID 1 when the kernel boots with
# init=/sbin/init; it goes into the initrd as sbin/init (MUSL_INITRD_EXTRA).
ifneq ($(MUSL_PROGS),)
MUSL_SBIN := $(BUILD)/user/musl-sbin/init
MUSL_INITRD_EXTRA := sbin/init=$(BUILD)/user/musl-sbin/init
endif
$(BUILD)/user/musl-sbin/%: user/musl/sbin/%.c
	@mkdir -p $(dir $@)
	$(quiet) MUSLCC $<
	$(Q)$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_DEPFLAGS) -o $@ $<

# /bin/sh: the multi-file program in user/sh/ (sh.h says which file does
# what), with the kernel console's pure line editor compiled in.
MUSL_SH_SRCS := $(sort $(wildcard user/sh/*.c)) lib/lineedit.c
$(BUILD)/user/musl/sh: $(MUSL_SH_SRCS) user/sh/sh.h lib/lineedit.h lib/string.h
	@mkdir -p $(dir $@)
	$(quiet) MUSLCC user/sh
	$(Q)$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_DEPFLAGS) -I. -o $@ $(MUSL_SH_SRCS)

# The Linux side of tools/bench.sh --vs-linux, built from the same source so
# that both kernels run the same static binary: /bin/lxbench and /exit0 (the
# program its exec benchmarks start).
ifneq ($(MUSL_PROGS),)
LXBENCH := $(BUILD)/user/musl-bench/lxbench $(BUILD)/user/musl-bench/exit0
endif
$(BUILD)/user/musl-bench/lxbench: tools/linux-bench/bench.c
	@mkdir -p $(dir $@)
	$(quiet) MUSLCC $<
	$(Q)$(MUSL_CC) -static -O2 -Wall -Wextra -o $@ $<
$(BUILD)/user/musl-bench/exit0: tools/linux-bench/exit0.asm
	@mkdir -p $(dir $@)
	$(quiet) NASM $<
	$(Q)$(NASM) -f elf64 -o $@.o $< && $(LD) -static -s -o $@ $@.o && rm -f $@.o

include user/netd/netd.mk

-include $(wildcard $(BUILD)/user/musl/*.d $(BUILD)/user/musl-sbin/*.d)

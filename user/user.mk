# SECoS user programs, included by the top-level Makefile (-include user/user.mk),
# which provides BUILD, CC, LD, NASM, PYTHON and KERNEL_CFLAGS.
#
#   make user     build every program to $(BUILD)/user/<name>.elf
#
# Each program is user/progs/<name>.c linked with the runtime (user/lib/ plus
# the kernel's freestanding lib/printf.c and lib/string.c, compiled again with
# user flags) into a static ELF64 at 0x400000 by user/user.ld.
#
# For the kernel: USER_EMBED_OBJS are the objects that embed every ELF and
# the table `builtin_programs` (init/builtin_programs.h); add them to the kernel link.

# Every configuration has these; the test configuration adds the attack
# suite and the syscall fuzzer.
USER_PROGRAMS := hello yield spin args fault badptr fpu true bench spawnloop fstest fdtest whereami testdriver whereami_pie
USER_TEST_PROGRAMS := attack fuzz attack_sysret attack_iret segload bigmem bigwrite bigbss fsburst fsquota spawnhex hold forkexec
ifeq ($(TEST_CONFIG),1)
USER_PROGRAMS += $(USER_TEST_PROGRAMS)
endif

USER_OUT  := $(BUILD)/user
USER_OBJD := $(USER_OUT)/obj
USER_ELFS := $(patsubst %,$(USER_OUT)/%.elf,$(USER_PROGRAMS))

# Ordinary user code: the red zone and SSE are fine here (no interrupt runs
# on the user stack, the kernel saves FPU state). -fno-tree-loop-distribute-
# patterns stops GCC from turning lib/string.c's memset loop into a call to
# memset itself. No -g: the ELFs are embedded in the kernel image.
USER_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror \
    -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
    -fno-stack-protector -fno-asynchronous-unwind-tables \
    -fno-tree-loop-distribute-patterns -ffunction-sections -fdata-sections \
    -Iinclude -I. -Iuser/lib
USER_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
    --build-id=none --gc-sections -T user/user.ld

USER_LIB_OBJS := $(USER_OBJD)/lib/crt0.o \
    $(patsubst user/lib/%.c,$(USER_OBJD)/lib/%.o,$(sort $(wildcard user/lib/*.c))) \
    $(USER_OBJD)/shared/printf.o $(USER_OBJD)/shared/string.o $(USER_OBJD)/shared/strerror.o \
    $(USER_OBJD)/shared/escape.o

.PHONY: user
user: $(USER_ELFS)
	@:

# crt0 first: user.ld also puts .text.start first, this just keeps it obvious.
$(USER_OUT)/%.elf: $(USER_OBJD)/progs/%.o $(USER_LIB_OBJS) user/user.ld
	$(quiet) LD $@
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(USER_LIB_OBJS) $<

$(USER_OBJD)/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(USER_OBJD)/shared/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC "$< (user)"
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(USER_OBJD)/lib/crt0.o: user/lib/crt0.asm
	@mkdir -p $(dir $@)
	$(quiet) NASM $<
	$(Q)$(NASM) -f elf64 $< -o $@

.SECONDARY: $(patsubst %,$(USER_OBJD)/progs/%.o,$(USER_PROGRAMS)) $(USER_LIB_OBJS)

# --- embedding in the kernel --------------------------------------------------
# embed_user.py also checks every ELF (W^X, page alignment, manifest note, ...).
$(BUILD)/gen/user_blobs.asm $(BUILD)/gen/user_programs.c &: $(USER_ELFS) \
		tools/embed_user.py include/secos/manifest.h
	@mkdir -p $(BUILD)/gen
	$(quiet) EMBED "$(USER_PROGRAMS)"
	$(Q)$(PYTHON) tools/embed_user.py --manifest-h include/secos/manifest.h \
	    --asm $(BUILD)/gen/user_blobs.asm --c $(BUILD)/gen/user_programs.c $(USER_ELFS)

USER_EMBED_OBJS := $(BUILD)/k/gen/user_blobs.o $(BUILD)/k/gen/user_programs.o
# Prerequisite lists are expanded when read, and the top-level Makefile names
# USER_EMBED_OBJS before it includes this file, so add them here as well.
$(BUILD)/kernel.elf: $(USER_EMBED_OBJS)

# The .asm incbins the ELFs, so it is rebuilt when any of them changes.
$(BUILD)/k/gen/user_blobs.o: $(BUILD)/gen/user_blobs.asm $(USER_ELFS)
	@mkdir -p $(dir $@)
	$(quiet) NASM $<
	$(Q)$(NASM) -f elf64 $< -o $@

$(BUILD)/k/gen/user_programs.o: $(BUILD)/gen/user_programs.c init/builtin_programs.h fs/exec.h
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

-include $(wildcard $(USER_OBJD)/*/*.d)

# --- host test of the runtime (malloc, printf buffering, atoi) ------------------
USER_HOSTTEST_SRCS := user/lib/ulib.c lib/printf.c lib/string.c lib/strerror.c lib/escape.c
USER_HT := $(USER_OUT)/hosttest

.PHONY: user-hosttest
user-hosttest: $(USER_HT)/host_ulib
	$(USER_HT)/host_ulib

$(USER_HT)/runtime.o: $(USER_HOSTTEST_SRCS) $(wildcard user/lib/*.h lib/*.h)
	@mkdir -p $(USER_HT)
	$(quiet) CC "$(USER_HOSTTEST_SRCS) (host)"
	$(Q)for f in $(USER_HOSTTEST_SRCS); do \
	  $(CC) $(USER_CFLAGS) -c $$f -o $(USER_HT)/$$(basename $$f .c).o || exit 1; done
	$(Q)$(LD) -r -o $@.tmp $(patsubst %.c,$(USER_HT)/%.o,$(notdir $(USER_HOSTTEST_SRCS)))
	$(Q)$(OBJCOPY) --prefix-symbols=u_ $@.tmp $@ && rm -f $@.tmp

$(USER_HT)/host_ulib: user/tests/host_ulib.c $(USER_HT)/runtime.o
	$(quiet) HOSTCC $<
	$(Q)$(CC) -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -no-pie -o $@ $^

# --- attack_sysret / attack_iret (adversarial suite, tests/qemu/test_attack.py) --
# These two need one more text page at the very top of the user half, so they
# link with user/attack_top.ld instead of user/user.ld (this explicit rule
# wins over the %.elf pattern rule above).
ATTACK_TOP_ELFS := $(USER_OUT)/attack_sysret.elf $(USER_OUT)/attack_iret.elf
$(ATTACK_TOP_ELFS): $(USER_OUT)/%.elf: $(USER_OBJD)/progs/%.o $(USER_LIB_OBJS) user/attack_top.ld
	$(quiet) LD "$@ (attack_top.ld)"
	$(Q)$(LD) $(filter-out -T user/user.ld,$(USER_LDFLAGS)) -T user/attack_top.ld -o $@ $(USER_LIB_OBJS) $<

# --- whereami_pie: a position-independent program (ASLR of the program base) --
# The same source as whereami, and the runtime, compiled -fPIE and linked with
# -pie against user/user_pie.ld (which refuses any dynamic relocation). ld
# writes e_type EXEC for a PIE linked with our own PHDRS script, so the
# recipe marks the file ET_DYN (bytes 16-17): that is what tells the kernel
# it may load the program at a random base.
USER_PIE_CFLAGS := $(filter-out -fno-pic -fno-pie,$(USER_CFLAGS)) -fPIE
USER_PIE_OBJS := $(USER_OBJD)/lib/crt0.o \
    $(patsubst user/lib/%.c,$(USER_OBJD)/pie/lib/%.o,$(sort $(wildcard user/lib/*.c))) \
    $(USER_OBJD)/pie/shared/printf.o $(USER_OBJD)/pie/shared/string.o $(USER_OBJD)/pie/shared/strerror.o \
    $(USER_OBJD)/pie/shared/escape.o
$(USER_OBJD)/pie/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC "$< (PIE)"
	$(Q)$(CC) $(USER_PIE_CFLAGS) -MMD -MP -c $< -o $@
$(USER_OBJD)/pie/shared/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC "$< (user, PIE)"
	$(Q)$(CC) $(USER_PIE_CFLAGS) -MMD -MP -c $< -o $@
$(USER_OUT)/whereami_pie.elf: $(USER_OBJD)/pie/progs/whereami.o $(USER_PIE_OBJS) user/user_pie.ld
	$(quiet) LD "$@ (PIE)"
	$(Q)$(LD) $(filter-out -T user/user.ld -static -no-pie,$(USER_LDFLAGS)) -pie --no-dynamic-linker \
	    -T user/user_pie.ld -o $@ $(USER_PIE_OBJS) $<
	$(Q)$(PYTHON) -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(16); f.write(b"\x03\x00")' $@

-include user/musl/musl.mk

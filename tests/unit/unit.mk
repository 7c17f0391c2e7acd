# Host unit tests (cmocka), included by the top-level Makefile.
#
#   make unit                          build and run every registered test
#   make unit UNIT_TESTS="string ..."  only these
#
# Registering a test (from any fragment, parsed before this file or as a
# tests/unit/*.inc.mk, which this file includes):
#
#   UNIT_TESTS += uefi_elf
#   UNIT_SRCS_uefi_elf := tests/unit/test_uefi_elf.c uefi/elf_check.c
#
# Each test becomes $(BUILD)/unit/test_<name>, its objects go under
# $(BUILD)/unit/<name>/. Every source of a test (code under test and test file
# alike) is compiled with -include tests/unit/host_rename.h, which renames
# lib/string.c's memset, memcpy, strlen, strlcpy, ... to k_*, so that the
# kernel's own versions never clash with glibc's or ASan's; lib/string.c is
# therefore linked into every test binary whether it is listed or not.
#
# `unit` builds and runs the tests one after another, shows each binary's
# cmocka output and ends with exactly one line
#   unit: N passed, M failed
# counting individual cmocka test cases over all binaries. A test that does not
# build, crashes, or is killed by a sanitizer counts its unfinished cases as
# failed (at least one); any failure makes `unit` exit non-zero.

UNIT_TESTS += string printf ringbuf lineedit strerror
UNIT_SRCS_string   := tests/unit/test_string.c lib/string.c
UNIT_SRCS_printf   := tests/unit/test_printf.c lib/printf.c lib/string.c lib/escape.c
UNIT_SRCS_ringbuf  := tests/unit/test_ringbuf.c lib/ringbuf.c
UNIT_SRCS_lineedit := tests/unit/test_lineedit.c lib/lineedit.c
UNIT_SRCS_strerror := tests/unit/test_strerror.c lib/strerror.c

-include $(wildcard tests/unit/*.inc.mk)

UNIT_CC     ?= $(CC)
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
    -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Iinclude -I. -DSECOS_HOST_TEST
UNIT_LDLIBS := -lcmocka
UNIT_RENAME := tests/unit/host_rename.h
UNIT_ALWAYS_SRCS := lib/string.c

# Registration order, duplicates dropped.
unit_uniq = $(if $1,$(firstword $1) $(call unit_uniq,$(filter-out $(firstword $1),$1)))
UNIT_LIST := $(strip $(call unit_uniq,$(strip $(UNIT_TESTS))))

# $(1) = test name. Objects are per test, so two tests may share a source.
define UNIT_TEST_RULES
UNIT_OBJS_$(1) := $$(patsubst %.c,$$(BUILD)/unit/$(1)/%.o,\
    $$(call unit_uniq,$$(filter %.c,$$(UNIT_SRCS_$(1))) $$(UNIT_ALWAYS_SRCS)))
UNIT_DEPS += $$(UNIT_OBJS_$(1):.o=.d)

# Build only (used by `unit`; quiet when there is nothing to do).
.PHONY: unit-build-$(1)
unit-build-$(1): $$(BUILD)/unit/test_$(1)
	@:

$$(BUILD)/unit/test_$(1): $$(UNIT_OBJS_$(1)) tests/unit/unit.mk
	@mkdir -p $$(dir $$@)
ifeq ($$(strip $$(filter %.c,$$(UNIT_SRCS_$(1)))),)
	@echo "*** test '$(1)' is registered but UNIT_SRCS_$(1) lists no .c file" >&2; exit 1
else
	$$(quiet) LD $$@
	$$(Q)$$(UNIT_CC) $$(UNIT_CFLAGS) $$(filter %.o,$$^) -o $$@ $$(UNIT_LDLIBS)
endif

$$(BUILD)/unit/$(1)/%.o: %.c tests/unit/unit.mk
	@mkdir -p $$(dir $$@)
	$$(quiet) HOSTCC "$$< (unit)"
	$$(Q)$$(UNIT_CC) $$(UNIT_CFLAGS) -include $$(UNIT_RENAME) -MMD -MP -c $$< -o $$@

# A listed source that does not exist (yet): say so plainly.
UNIT_MISSING_$(1) := $$(filter-out $$(wildcard $$(UNIT_SRCS_$(1))),$$(UNIT_SRCS_$(1)))
ifneq ($$(strip $$(UNIT_MISSING_$(1))),)
$$(patsubst %.c,$$(BUILD)/unit/$(1)/%.o,$$(filter %.c,$$(UNIT_MISSING_$(1)))):
	@echo "*** test '$(1)': UNIT_SRCS_$(1) lists missing file(s): $$(UNIT_MISSING_$(1))" >&2; exit 1
endif
endef

$(foreach t,$(UNIT_LIST),$(eval $(call UNIT_TEST_RULES,$(t))))

-include $(UNIT_DEPS)

# One sub-make per test so a test that does not build (e.g. a registered
# source that is not written yet) fails alone and the others still run.
# Per binary: total = sum of cmocka's "Running N test(s)." lines, passed =
# "[       OK ]" lines, skipped = "[  SKIPPED ] N test(s), listed below:"; the
# rest that was announced but did not pass (failed, or never finished because
# the binary crashed) is failed. A non-zero exit with nothing else failed (a
# LeakSanitizer report at exit, a crash before cmocka started) counts as one
# failed case. Only the last line of output starts with "unit:".
unit:
	@mkdir -p $(BUILD)/unit; \
	pass=0; fail=0; skipped=0; bad=""; \
	for t in $(UNIT_LIST); do \
	  bin=$(BUILD)/unit/test_$$t; log=$(BUILD)/unit/test_$$t.log; \
	  echo "=== test_$$t"; \
	  if ! $(MAKE) --no-print-directory unit-build-$$t; then \
	    echo "*** test_$$t: BUILD FAILED"; \
	    fail=$$((fail + 1)); bad="$$bad $$t"; continue; \
	  fi; \
	  CMOCKA_MESSAGE_OUTPUT=STDOUT $$bin > $$log 2>&1; rc=$$?; \
	  cat $$log; \
	  total=$$(sed -n 's/^\[==========\] Running \([0-9][0-9]*\) test(s)\.$$/\1/p' $$log | awk '{s += $$1} END {print s + 0}'); \
	  ok=$$(grep -c '^\[       OK \] ' $$log); \
	  skip=$$(sed -n 's/^\[  SKIPPED \] \([0-9][0-9]*\) test(s), listed below:$$/\1/p' $$log | awk '{s += $$1} END {print s + 0}'); \
	  nf=$$((total - ok - skip)); \
	  if [ $$nf -lt 0 ]; then nf=0; fi; \
	  if [ $$rc -ne 0 ] && [ $$nf -eq 0 ]; then nf=1; fi; \
	  if [ $$rc -ne 0 ] || [ $$nf -ne 0 ]; then \
	    echo "*** test_$$t: FAILED (exit status $$rc, $$nf failed case(s))"; \
	    bad="$$bad $$t"; \
	  fi; \
	  pass=$$((pass + ok)); fail=$$((fail + nf)); skipped=$$((skipped + skip)); \
	done; \
	if [ $$skipped -ne 0 ]; then \
	  echo "*** $$skipped case(s) skipped"; fi; \
	if [ -n "$$bad" ]; then echo "*** failing:$$bad"; fi; \
	echo "unit: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ] && [ -z "$$bad" ]

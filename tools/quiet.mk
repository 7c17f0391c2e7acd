# Quiet by default: one short line per step. V=1 shows every command line.
# Included by the top-level Makefile and by tests/fuzz/fuzz.mk (which
# tools/fuzz.sh also runs on its own); the guard makes a second include a no-op.
ifndef quiet
V ?= 0
ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-7s %s\n'
endif
endif

# netd, the network server (user/netd/): lwIP from Debian's source package,
# fetched once into build/lwip by tools/fetch-lwip.sh (apt-get source through
# this machine's own apt sources; nothing of lwIP is in this repository),
# built with musl-gcc into one static program with a SECoS manifest
# (MANIFEST_FLAG_NET_RAW). Included by user/musl/musl.mk. Without musl-gcc,
# or when the source cannot be fetched (no network at the first build), netd
# is left out and says so; the QEMU tests that need it then fail by name.
LWIP_DIR ?= build/lwip
ifneq ($(MUSL_PROGS),)
ifeq ($(filter clean deps,$(MAKECMDGOALS)),)
LWIP_OK := $(shell tools/fetch-lwip.sh $(LWIP_DIR) >&2 && echo 1)
endif
endif
ifeq ($(LWIP_OK),1)
NETD := $(BUILD)/user/netd/netd
MUSL_INITRD_EXTRA += sbin/netd=$(NETD)
else ifneq ($(MUSL_PROGS),)
$(info netd: lwIP source not available (tools/fetch-lwip.sh failed): the initrd has no /sbin/netd)
endif

L := $(LWIP_DIR)/src
LWIP_SRCS := $(L)/core/init.c $(L)/core/def.c $(L)/core/dns.c $(L)/core/inet_chksum.c $(L)/core/ip.c \
    $(L)/core/mem.c $(L)/core/memp.c $(L)/core/netif.c $(L)/core/pbuf.c $(L)/core/raw.c $(L)/core/stats.c \
    $(L)/core/sys.c $(L)/core/tcp.c $(L)/core/tcp_in.c $(L)/core/tcp_out.c $(L)/core/timeouts.c $(L)/core/udp.c \
    $(L)/core/ipv4/dhcp.c $(L)/core/ipv4/etharp.c $(L)/core/ipv4/icmp.c $(L)/core/ipv4/ip4.c \
    $(L)/core/ipv4/ip4_addr.c $(L)/core/ipv4/ip4_frag.c $(L)/netif/ethernet.c
NETD_SRCS := $(sort $(wildcard user/netd/*.c)) lib/sha256.c lib/ipv4_addr.c lib/sockmsg.c
NETD_HDRS := $(wildcard user/netd/*.h user/netd/arch/*.h) include/secos/netraw.h include/secos/netsrv.h include/secos/manifest.h lib/sockmsg.h
# lwIP is someone else's code: its warnings are shown, not fatal; ours are.
NETD_LWIP_CFLAGS := -static -O2 -std=gnu11 -Iuser/netd -I$(L)/include -Iinclude -Iuser/lib -I.
NETD_LWIP_OBJS := $(patsubst $(L)/%.c,$(BUILD)/user/netd/lwip/%.o,$(LWIP_SRCS))

$(BUILD)/user/netd/lwip/%.o: $(L)/%.c $(NETD_HDRS)
	@mkdir -p $(dir $@)
	$(quiet) MUSLCC lwip/$*.c
	$(Q)$(MUSL_CC) $(NETD_LWIP_CFLAGS) -c -o $@ $<

$(BUILD)/user/netd/netd: $(NETD_SRCS) $(NETD_HDRS) $(NETD_LWIP_OBJS)
	@mkdir -p $(dir $@)
	$(quiet) MUSLCC user/netd
	$(Q)$(MUSL_CC) $(NETD_LWIP_CFLAGS) -Wall -Wextra -Werror -o $@ $(NETD_SRCS) $(NETD_LWIP_OBJS)

# The network's pure parts: ARP frames and dotted-quad addresses (net/).
UNIT_TESTS += net_arp
UNIT_SRCS_net_arp := tests/unit/test_net_arp.c net/arp.c lib/ipv4_addr.c
# The kernel <-> network server channel's messages (lib/sockmsg.c).
UNIT_TESTS += net_sockmsg
UNIT_SRCS_net_sockmsg := tests/unit/test_net_sockmsg.c lib/sockmsg.c
# The socket calls' argument checks (socket/sockarg.c).
UNIT_TESTS += sockarg
UNIT_SRCS_sockarg := tests/unit/test_sockarg.c socket/sockarg.c

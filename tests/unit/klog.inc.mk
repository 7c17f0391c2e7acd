# The kernel log ring and its redaction of kernel addresses (lib/klog.c).
UNIT_TESTS += klog
UNIT_SRCS_klog := tests/unit/test_klog.c lib/klog.c lib/string.c

/* fs/procfs_text.c: which names /proc answers (hostile names refused) and
 * the Linux formats of stat and status. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/procfs_text.h"
#include "lib/string.h"
#include "secos/errno.h"

static int parse(const char *path, int *pid, enum procfs_kind *kind) { return procfs_parse(path, 7, pid, kind); }

static void test_parse_names(void **state) {
    (void)state;
    int pid;
    enum procfs_kind k;
    assert_int_equal(parse("/", &pid, &k), 0);
    assert_int_equal(k, PROCFS_ROOT);
    assert_int_equal(pid, -1);
    assert_int_equal(parse("/uptime", &pid, &k), 0);
    assert_int_equal(k, PROCFS_UPTIME);
    assert_int_equal(parse("/meminfo", &pid, &k), 0);
    assert_int_equal(k, PROCFS_MEMINFO);
    assert_int_equal(parse("/dmesg", &pid, &k), 0);
    assert_int_equal(k, PROCFS_DMESG);
    assert_int_equal(pid, -1);
    assert_int_equal(parse("/mounts", &pid, &k), 0);
    assert_int_equal(k, PROCFS_MOUNTS);
    assert_int_equal(pid, -1);
    assert_int_equal(parse("/net", &pid, &k), 0);
    assert_int_equal(k, PROCFS_NET);
    assert_int_equal(parse("/net/dev", &pid, &k), 0);
    assert_int_equal(k, PROCFS_NETDEV);
    assert_int_equal(pid, -1);
    assert_int_equal(parse("/42", &pid, &k), 0);
    assert_int_equal(k, PROCFS_PID);
    assert_int_equal(pid, 42);
    assert_int_equal(parse("/self", &pid, &k), 0);
    assert_int_equal(pid, 7);                        /* the caller */
    assert_int_equal(parse("/self/stat", &pid, &k), 0);
    assert_int_equal(k, PROCFS_STAT);
    assert_int_equal(parse("/3/cmdline", &pid, &k), 0);
    assert_int_equal(k, PROCFS_CMDLINE);
    assert_int_equal(parse("/3/exe", &pid, &k), 0);
    assert_int_equal(k, PROCFS_EXE);
    assert_int_equal(parse("/3/status", &pid, &k), 0);
    assert_int_equal(k, PROCFS_STATUS);
    assert_int_equal(pid, 3);
    assert_int_equal(procfs_parse("/self", -1, &pid, &k), -ENOENT);   /* no caller */
}

static void test_parse_refuses(void **state) {
    (void)state;
    int pid = 99;
    enum procfs_kind k = PROCFS_ROOT;
    const char *bad[] = { "", "x", "/0", "/01", "/-1", "/+1", "/1x", "/1234567890", "/3/mem", "/3/maps",
                          "/3/environ", "/3/stat/x", "/uptime/x", "/dmesg/x", "/dmesgx", "/mounts/x", "/mount", "/net/", "/net/dev/x", "/net/tcp", "/netx", "/net//dev", "/3/", "//3", "/self/", "/selfx",
                          "/3/statusx", "/99999999999999999999", "/3/cmdline/..", NULL };
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(parse(bad[i], &pid, &k), -ENOENT);
    }
    assert_int_equal(procfs_parse(NULL, 1, &pid, &k), -ENOENT);
    assert_int_equal(pid, 99);   /* untouched on failure */
}

static void test_format_stat(void **state) {
    (void)state;
    struct procfs_info p = { .pid = 5, .ppid = 1, .state = 'S', .comm = "averyveryverylongname", .utime_ticks = 12,
                             .vsize_bytes = 4096, .rss_pages = 3 };
    char buf[512];
    size_t n = procfs_format_stat(buf, sizeof buf, &p);
    assert_int_equal(n, strlen(buf));
    const char *want = "5 (averyveryverylo) S 1 5 5 0 -1 ";   /* comm cut at 15 bytes */
    assert_true(strncmp(buf, want, strlen(want)) == 0);
    /* 52 fields: 50 spaces after the comm's ')' and a newline at the end */
    int spaces = 0;
    for (const char *s = strchr(buf, ')'); *s; s++) spaces += *s == ' ';
    assert_int_equal(spaces, 50);
    assert_int_equal(buf[n - 1], '\n');
    char small[8];
    assert_int_equal(procfs_format_stat(small, sizeof small, &p), n);   /* snprintf-like */
    assert_int_equal(strlen(small), 7);
}

static void test_format_status(void **state) {
    (void)state;
    struct procfs_info p = { .pid = 9, .ppid = 2, .state = 'Z', .comm = "sh" };
    char buf[512];
    procfs_format_status(buf, sizeof buf, &p);
    assert_non_null(strstr(buf, "Name:\tsh\n"));
    assert_non_null(strstr(buf, "State:\tZ (zombie)\n"));
    assert_non_null(strstr(buf, "Pid:\t9\nPPid:\t2\n"));
    assert_non_null(strstr(buf, "Uid:\t0\t0\t0\t0\n"));
    p.state = 'T'; /* job control stopped it: Linux's "T (stopped)" */
    procfs_format_status(buf, sizeof buf, &p);
    assert_non_null(strstr(buf, "State:\tT (stopped)\n"));
}

static void test_format_mount(void **state) {
    (void)state;
    char buf[128];
    size_t n = procfs_format_mount(buf, sizeof buf, "/dev/vda1", "/mnt", "vfat", 0);
    assert_string_equal(buf, "/dev/vda1 /mnt vfat rw 0 0\n");
    assert_int_equal(n, strlen(buf));
    procfs_format_mount(buf, sizeof buf, "/dev/vda", "/boot/efi", "vfat", 1);
    assert_string_equal(buf, "/dev/vda /boot/efi vfat ro 0 0\n");
    /* Separators inside a name are escaped, so a name cannot add fields or lines. */
    procfs_format_mount(buf, sizeof buf, "ramfs", "/a b\tc\nd\\e", "ramfs", 0);
    assert_string_equal(buf, "ramfs /a\\040b\\011c\\012d\\134e ramfs rw 0 0\n");
    procfs_format_mount(buf, sizeof buf, "", NULL, "proc", 0);
    assert_string_equal(buf, "none none proc rw 0 0\n");
    /* Too small: cut and terminated, the full length returned (as snprintf). */
    n = procfs_format_mount(buf, 8, "/dev/vda1", "/mnt", "vfat", 0);
    assert_int_equal(n, strlen("/dev/vda1 /mnt vfat rw 0 0\n"));
    assert_string_equal(buf, "/dev/vd");
    assert_int_equal(procfs_format_mount(NULL, 0, "a", "/", "b", 0), strlen("a / b rw 0 0\n"));
}

/* /proc/net/dev byte for byte as Linux prints it (busybox ifconfig finds
 * the format by the header's words and reads the counters by position). */
static void test_netdev_format(void **state) {
    (void)state;
    char buf[512];
    size_t n = procfs_format_netdev_head(buf, sizeof buf);
    assert_string_equal(buf, "Inter-|   Receive                                                |  Transmit\n"
                             " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
                             "drop fifo colls carrier compressed\n");
    assert_int_equal(n, strlen(buf));
    struct procfs_netdev d = { "eth0", 123456, 789, 1, 2, 98765, 432, 3, 4 };
    n = procfs_format_netdev(buf, sizeof buf, &d);
    assert_string_equal(buf, "  eth0:  123456     789    1    2    0     0          0         0    98765     432    3    4    0     0       0          0\n");
    assert_int_equal(n, strlen(buf));
    assert_int_equal(procfs_format_netdev(buf, 8, &d), strlen("  eth0:  123456     789    1    2    0     0          0         0    98765     432    3    4    0     0       0          0\n"));
    assert_int_equal(strlen(buf), 7);                 /* cut, NUL-terminated */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_netdev_format),
        cmocka_unit_test(test_format_stat),
        cmocka_unit_test(test_format_status),
        cmocka_unit_test(test_format_mount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

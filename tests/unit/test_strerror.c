/* lib/strerror.c: every number in include/secos/errno.h has its own text and
 * name, either sign works, and unknown numbers say so. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "lib/strerror.h"
#include "secos/errno.h"

static const int all[] = { EPERM, ENOENT, ESRCH, EINTR, EIO, E2BIG, ENOEXEC, EBADF, ECHILD, EAGAIN,
                           ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, EXDEV, ENOTDIR, EISDIR, EINVAL,
                           EMFILE, EFBIG, ENOSPC, ESPIPE, EROFS, ERANGE, ENAMETOOLONG, ENOSYS, ENOTEMPTY,
                           EPROTO, ENOTSOCK, EDESTADDRREQ, EMSGSIZE, ENOPROTOOPT, EPROTONOSUPPORT,
                           EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN, ENETUNREACH,
                           ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN, ETIMEDOUT, ECONNREFUSED,
                           EHOSTUNREACH, EALREADY, EINPROGRESS };
#define N (sizeof all / sizeof all[0])

static void test_every_errno_has_its_own_text(void **state) {
    (void)state;
    for (size_t i = 0; i < N; i++) {
        assert_string_not_equal(secos_strerror(all[i]), "unknown error");
        assert_string_not_equal(secos_errno_name(all[i]), "E?");
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(secos_strerror(all[i]), secos_strerror(all[j]));
            assert_string_not_equal(secos_errno_name(all[i]), secos_errno_name(all[j]));
        }
    }
}

static void test_sign_and_examples(void **state) {
    (void)state;
    assert_string_equal(secos_strerror(-ENOENT), "no such file or directory");
    assert_string_equal(secos_strerror(ENOENT), "no such file or directory");
    assert_string_equal(secos_errno_name(-ENOSYS), "ENOSYS");
    assert_string_equal(secos_strerror(0), "success");
}

static void test_unknown(void **state) {
    (void)state;
    assert_string_equal(secos_strerror(41), "unknown error");
    assert_string_equal(secos_strerror(-100000), "unknown error");
    assert_string_equal(secos_strerror(-2147483647 - 1), "unknown error");
    assert_string_equal(secos_errno_name(200), "E?");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_errno_has_its_own_text),
        cmocka_unit_test(test_sign_and_examples),
        cmocka_unit_test(test_unknown),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}

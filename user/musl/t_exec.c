/* t_exec: execve in place under the Linux personality.
 * Usage: t_exec          the checks (forks children that exec this program)
 *        t_exec child ...  (internal) checks argv, envp and auxv as execve passed them
 *        t_exec secos      exit 0 when exec'd by a SECoS program (user/progs/forkexec.c)
 *        t_exec bomb N     re-executes itself N times with ~120 KiB of arguments */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "t_check.h"

extern char **environ;
static __thread volatile int tls_word = 43;
static volatile long image_word = 0x5ec05;

static int child(int argc, char **argv) {
    int bad = 0;
    if (argc != 4 || strcmp(argv[2], "a b") != 0 || strcmp(argv[3], "") != 0) bad |= 1;
    const char *foo = getenv("FOO");
    if (!foo || strcmp(foo, "bar=baz") != 0 || environ[0] == 0 || environ[2] != 0) bad |= 2;
    if (getauxval(AT_PAGESZ) != 4096 || !getauxval(AT_PHDR) || !getauxval(AT_RANDOM) || !getauxval(AT_ENTRY))
        bad |= 4;
    const char *fn = (const char *)getauxval(AT_EXECFN);
    if (!fn || strcmp(fn, getenv("WANT_EXECFN") ? getenv("WANT_EXECFN") : "/bin/t_exec") != 0) bad |= 8;
    if (tls_word != 43 || image_word != 0x5ec05) bad |= 16; /* a fresh image, TLS set up again */
    return bad;
}

/* The argument bomb: each round replaces the image with itself, passing
 * 3000 arguments of 40 bytes, until N reaches 0. */
static int bomb(int n) {
    if (n <= 0) {
        printf("t_exec: bomb done\n");
        return 0;
    }
    static char *v[3004];
    static char arg[40];
    static char count[16];
    memset(arg, 'a', sizeof arg - 1);
    snprintf(count, sizeof count, "%d", n - 1);
    v[0] = "t_exec";
    v[1] = "bomb";
    v[2] = count;
    for (int i = 3; i < 3003; i++) v[i] = arg;
    execve("/proc/self/exe", v, environ);
    printf("FAIL bomb: execve errno=%d\n", errno);
    return 1;
}

/* Forks a child that execs path with argv/envp; its exit status (or -1). */
static int fork_exec(const char *path, char *const argv[], char *const envp[]) {
    pid_t c = fork();
    if (c == 0) {
        image_word = 0; /* the new image must not see this */
        tls_word = 0;
        execve(path, argv, envp);
        _exit(100 + errno);
    }
    int st = 0;
    if (c < 0 || waitpid(c, &st, 0) != c) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + (st & 0x7f);
}

/* Pointers as plain numbers: some of them are deliberately not pointers. */
static void expect_fail_(const char *what, uintptr_t path, uintptr_t argv, uintptr_t envp, int err) {
    errno = 0;
    long r = syscall(SYS_execve, path, argv, envp);
    int e = errno;
    CHECK(what, r == -1 && e == err, "r=%ld errno=%d want %d", r, e, err);
}

#define expect_fail(what, path, argv, envp, err) \
    expect_fail_(what, (uintptr_t)(path), (uintptr_t)(argv), (uintptr_t)(envp), err)

int main(int argc, char **argv) {
    check_init();
    if (argc >= 2 && strcmp(argv[1], "child") == 0) return child(argc, argv);
    if (argc == 2 && strcmp(argv[1], "exit5") == 0) return 5;
    if (argc == 2 && strcmp(argv[1], "secos") == 0) {
        const char *from = getenv("FROM");
        int ok = from && strcmp(from, "secos") == 0 && getauxval(AT_PHDR) && tls_word == 43;
        printf("t_exec: started by SECoS: %s\n", ok ? "ok" : "FAIL");
        return ok ? 0 : 1;
    }
    if (argc >= 3 && strcmp(argv[1], "bomb") == 0) return bomb(atoi(argv[2]));
    if (argc == 4 && strcmp(argv[1], "fds") == 0) {
        /* argv[2] was opened O_CLOEXEC, argv[3] without: only the second survives. */
        int gone = fcntl(atoi(argv[2]), F_GETFD) == -1 && errno == EBADF;
        int kept = fcntl(atoi(argv[3]), F_GETFD) == 0;
        return gone && kept ? 0 : 1 + gone + 2 * kept;
    }
    char *cargv[] = { "t_exec", "child", "a b", "", 0 };
    char *cenv[] = { "FOO=bar=baz", "OTHER=1", 0 };
    int r = fork_exec("/bin/t_exec", cargv, cenv);
    CHECK("execve passes argv, envp and auxv", r == 0, "child status %d", r);
    char *env_rel[] = { "FOO=bar=baz", "WANT_EXECFN=/bin/t_exec", 0 };
    r = fork_exec("bin/t_exec", cargv, env_rel);
    CHECK("a relative path is taken from /", r == 0, "child status %d", r);
    int cloexec = open("/data/poem.txt", O_RDONLY | O_CLOEXEC), plain = open("/data/poem.txt", O_RDONLY);
    char fa[16], fb[16];
    snprintf(fa, sizeof fa, "%d", cloexec);
    snprintf(fb, sizeof fb, "%d", plain);
    char *fds[] = { "t_exec", "fds", fa, fb, 0 };
    r = cloexec >= 0 && plain >= 0 ? fork_exec("/proc/self/exe", fds, cenv) : -2;
    CHECK("execve closes O_CLOEXEC descriptors and keeps the others", r == 0, "child status %d", r);
    close(cloexec);
    close(plain);
    char *e5[] = { "t_exec", "exit5", 0 };
    r = fork_exec("/proc/self/exe", e5, cenv);
    CHECK("/proc/self/exe re-executes the running image", r == 5, "child status %d", r);
    char *hello[] = { "hello", 0 };
    r = fork_exec("/bin/hello", hello, cenv);
    CHECK("a Linux program execs a SECoS program", r == 0, "child status %d", r);

    /* Failures: each returns in the old image, which must be intact. */
    static char huge[129 * 1024];
    memset(huge, 'x', sizeof huge - 1);
    char *bigv[] = { "t_exec", huge, 0 };
    expect_fail("129 KiB of arguments: E2BIG", "/bin/t_exec", bigv, cenv, E2BIG);
    static char *many[5000];
    for (int i = 0; i < 4999; i++) many[i] = "m";
    expect_fail("4999 arguments: E2BIG", "/bin/t_exec", many, cenv, E2BIG);
    expect_fail("no such program: ENOENT", "/bin/no_such_program", cargv, cenv, ENOENT);
    expect_fail("not an ELF: ENOEXEC", "/VERSION", cargv, cenv, ENOEXEC);
    expect_fail("bad path pointer: EFAULT", (const char *)1, cargv, cenv, EFAULT);
    expect_fail("bad argv pointer: EFAULT", "/bin/t_exec", (char *const *)8, cenv, EFAULT);
    char *badv[] = { "t_exec", (char *)16, 0 };
    expect_fail("bad argv string: EFAULT", "/bin/t_exec", badv, cenv, EFAULT);
    expect_fail("bad envp pointer: EFAULT", "/bin/t_exec", cargv, (char *const *)0x7fffffffffff, EFAULT);
    expect_fail("empty path: ENOENT", "", cargv, cenv, ENOENT);
    CHECK("the old image is intact after failed execs", image_word == 0x5ec05 && tls_word == 43 && argv[0] != 0,
          "image_word=%#lx tls=%d", image_word, tls_word);
    return check_done("t_exec");
}

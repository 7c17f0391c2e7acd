/* forkexec: SYS_fork and SYS_exec from a SECoS-ABI program.
 * Usage: forkexec <path> [args...]: forks; the child execs path with the
 * arguments (argv[0] = path) and FROM=secos in its environment; the parent
 * waits and prints "forkexec: child <pid> status <n>" (SYS_wait's encoding).
 * Exit status: 0 when the fork and the wait worked, 1 otherwise. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("usage: forkexec <path> [args...]\n");
        return 1;
    }
    static const char *const envp[] = { "FROM=secos", "FOO=bar=baz", 0 };
    long pid = sys_fork();
    if (pid == 0) {
        long r = sys_exec(argv[1], (const char *const *)argv + 1, envp);
        printf("forkexec: exec %s failed: %ld\n", argv[1], r);
        sys_exit(100);
    }
    if (pid < 0) {
        printf("forkexec: fork failed: %ld\n", pid);
        return 1;
    }
    int status = -1;
    long r = sys_wait(pid, &status);
    printf("forkexec: child %ld status %d\n", pid, status);
    return r == pid ? 0 : 1;
}

/* The Linux x86-64 system call personality: the one list of the Linux calls
 * SECoS answers. The kernel's second dispatch table and the Linux half of
 * /sys/syscalls.txt are generated from it.
 *
 * A program runs with this personality when its ELF carries no SECOS
 * manifest, or a manifest with MANIFEST_FLAG_ABI_LINUX (secos/manifest.h).
 * Entry is SYSCALL only: number in rax, arguments in rdi, rsi, rdx, r10, r8,
 * r9, result in rax (-errno on failure; SECoS's errno values are Linux's).
 * INT 0x80 from such a program returns -ENOSYS (Linux would take it as the
 * ia32 ABI, which SECoS does not provide), and so does every number not
 * listed here; the kernel logs the first use of each missing number per
 * process as `[ENOSYS] pid=N name=<program> nr=<number>`.
 *
 * Calls answered with -ENOSYS on purpose (rseq must be: a fake success
 * makes glibc trust an unregistered area; clone3: glibc falls back to
 * clone) are listed with linux_enosys and not logged.
 *
 * X(number, name, handler): handler is `long handler(SYSARGS)`
 * (kernel/syscall.h), defined by the subsystem that owns the call. A handler
 * may be shared with the SECoS table where the semantics are the same. */
#ifndef SECOS_LINUX_SYSCALL_H
#define SECOS_LINUX_SYSCALL_H

#define LINUX_SYSCALLS(X)                          \
    X(0, read, sys_read)                           \
    X(1, write, sys_write)                         \
    X(2, open, linux_open)                         \
    X(3, close, sys_close)                         \
    X(4, stat, linux_stat)                         \
    X(5, fstat, linux_fstat)                       \
    X(6, lstat, linux_lstat)                       \
    X(7, poll, linux_poll)                         \
    X(8, lseek, sys_lseek)                         \
    X(9, mmap, linux_mmap)                         \
    X(10, mprotect, linux_mprotect)                \
    X(11, munmap, linux_munmap)                    \
    X(12, brk, linux_brk)                          \
    X(13, rt_sigaction, linux_rt_sigaction)        \
    X(14, rt_sigprocmask, linux_rt_sigprocmask)    \
    X(15, rt_sigreturn, linux_rt_sigreturn)        \
    X(16, ioctl, linux_ioctl)                      \
    X(17, pread64, linux_pread64)                  \
    X(18, pwrite64, linux_pwrite64)                \
    X(19, readv, linux_readv)                      \
    X(20, writev, linux_writev)                    \
    X(21, access, linux_access)                    \
    X(22, pipe, linux_pipe)                        \
    X(23, select, linux_select)                    \
    X(24, sched_yield, sys_yield)                  \
    X(25, mremap, linux_enosys)                    \
    X(28, madvise, linux_madvise)                  \
    X(32, dup, sys_dup)                            \
    X(33, dup2, sys_dup2)                          \
    X(34, pause, linux_pause)                      \
    X(35, nanosleep, linux_nanosleep)              \
    X(36, getitimer, linux_getitimer)              \
    X(37, alarm, linux_alarm)                      \
    X(38, setitimer, linux_setitimer)              \
    X(39, getpid, sys_getpid)                      \
    X(40, sendfile, linux_sendfile)                \
    X(41, socket, linux_socket)                    \
    X(42, connect, linux_connect)                  \
    X(43, accept, linux_accept)                    \
    X(44, sendto, linux_sendto)                    \
    X(45, recvfrom, linux_recvfrom)                \
    X(46, sendmsg, linux_sendmsg)                  \
    X(47, recvmsg, linux_recvmsg)                  \
    X(48, shutdown, linux_shutdown)                \
    X(49, bind, linux_bind)                        \
    X(50, listen, linux_listen)                    \
    X(51, getsockname, linux_getsockname)          \
    X(52, getpeername, linux_getpeername)          \
    X(53, socketpair, linux_socketpair)            \
    X(54, setsockopt, linux_setsockopt)            \
    X(55, getsockopt, linux_getsockopt)            \
    X(56, clone, linux_clone)                      \
    X(57, fork, sys_fork)                          \
    X(58, vfork, linux_vfork)                      \
    X(59, execve, sys_exec)                        \
    X(60, exit, linux_exit)                        \
    X(61, wait4, linux_wait4)                      \
    X(62, kill, linux_kill)                        \
    X(63, uname, linux_uname)                      \
    X(72, fcntl, linux_fcntl)                      \
    X(74, fsync, linux_fsync)                      \
    X(75, fdatasync, linux_fsync)                  \
    X(76, truncate, linux_truncate)                \
    X(77, ftruncate, linux_ftruncate)              \
    X(79, getcwd, linux_getcwd)                    \
    X(80, chdir, linux_chdir)                      \
    X(81, fchdir, linux_fchdir)                    \
    X(82, rename, linux_rename)                    \
    X(83, mkdir, linux_mkdir)                      \
    X(84, rmdir, linux_rmdir)                      \
    X(85, creat, linux_creat)                      \
    X(87, unlink, linux_unlink)                    \
    X(89, readlink, linux_readlink)                \
    X(90, chmod, linux_chmod)                      \
    X(91, fchmod, linux_fchmod)                    \
    X(92, chown, linux_chown)                      \
    X(93, fchown, linux_fchown)                    \
    X(94, lchown, linux_lchown)                    \
    X(95, umask, linux_umask)                      \
    X(96, gettimeofday, linux_gettimeofday)        \
    X(102, getuid, linux_getid)                    \
    X(104, getgid, linux_getid)                    \
    X(107, geteuid, linux_getid)                   \
    X(108, getegid, linux_getid)                   \
    X(109, setpgid, linux_setpgid)                 \
    X(110, getppid, linux_getppid)                 \
    X(111, getpgrp, linux_getpgrp)                 \
    X(112, setsid, linux_setsid)                   \
    X(121, getpgid, linux_getpgid)                 \
    X(124, getsid, linux_getsid)                   \
    X(127, rt_sigpending, linux_rt_sigpending)     \
    X(130, rt_sigsuspend, linux_rt_sigsuspend)     \
    X(131, sigaltstack, linux_enosys)              \
    X(137, statfs, linux_statfs)                   \
    X(138, fstatfs, linux_fstatfs)                 \
    X(157, prctl, linux_prctl)                     \
    X(158, arch_prctl, linux_arch_prctl)           \
    X(162, sync, linux_sync)                       \
    X(165, mount, linux_mount)                     \
    X(166, umount2, linux_umount2)                 \
    X(169, reboot, linux_reboot)                   \
    X(186, gettid, sys_getpid)                     \
    X(200, tkill, linux_tkill)                     \
    X(201, time, linux_time)                       \
    X(217, getdents64, linux_getdents64)           \
    X(218, set_tid_address, linux_set_tid_address) \
    X(228, clock_gettime, linux_clock_gettime)     \
    X(229, clock_getres, linux_clock_getres)       \
    X(230, clock_nanosleep, linux_clock_nanosleep) \
    X(231, exit_group, linux_exit)                 \
    X(234, tgkill, linux_tgkill)                   \
    X(247, waitid, linux_waitid)                   \
    X(257, openat, linux_openat)                   \
    X(258, mkdirat, linux_mkdirat)                 \
    X(260, fchownat, linux_fchownat)               \
    X(262, newfstatat, linux_newfstatat)           \
    X(263, unlinkat, linux_unlinkat)               \
    X(264, renameat, linux_renameat)               \
    X(267, readlinkat, linux_readlinkat)           \
    X(268, fchmodat, linux_fchmodat)               \
    X(269, faccessat, linux_faccessat)             \
    X(270, pselect6, linux_pselect6)               \
    X(271, ppoll, linux_ppoll)                     \
    X(273, set_robust_list, linux_enosys)          \
    X(280, utimensat, linux_utimensat)             \
    X(288, accept4, linux_accept4)                 \
    X(292, dup3, linux_dup3)                       \
    X(293, pipe2, linux_pipe2)                     \
    X(302, prlimit64, linux_prlimit64)             \
    X(316, renameat2, linux_renameat2)             \
    X(318, getrandom, linux_getrandom)             \
    X(334, rseq, linux_enosys)                     \
    X(435, clone3, linux_enosys)                   \
    X(439, faccessat2, linux_faccessat2)

/* The table covers numbers below this (Linux x86-64 ends at 462 today). */
#define LINUX_SYS_COUNT 512

/* arch_prctl codes. ARCH_SET_GS is refused: the kernel's per-CPU block
 * lives behind GS (swapgs). */
#define LINUX_ARCH_SET_GS 0x1001
#define LINUX_ARCH_SET_FS 0x1002
#define LINUX_ARCH_GET_FS 0x1003
#define LINUX_ARCH_GET_GS 0x1004

/* auxv keys the loader passes (Linux's values). */
#define AT_NULL   0
#define AT_IGNORE 1
#define AT_PHDR   3
#define AT_PHENT  4
#define AT_PHNUM  5
#define AT_PAGESZ 6
#define AT_BASE   7
#define AT_FLAGS  8
#define AT_ENTRY  9
#define AT_UID    11
#define AT_EUID   12
#define AT_GID    13
#define AT_EGID   14
#define AT_PLATFORM 15
#define AT_HWCAP  16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

#endif

/* The keeper thread: looks at the server every 200 ms; a server that ended
 * is started again after a second, at most NET_KEEPER_BURST times a
 * minute, after which the keeper waits for the minute to pass (a server
 * that dies at once must not eat the machine). */
#include "socket/net_keeper.h"
#include "socket/netsrv_file.h"
#include "kernel/cmdline.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "arch/x86_64/cpu.h"
#include "lib/console_out.h"
#include "lib/string.h"

#define NET_KEEPER_BURST 10
#define NET_KEEPER_WINDOW_MS 60000

static int enabled, server_pid;
static unsigned starts;
static uint64_t window_start, window_starts, next_try;

int net_keeper_pid(void) { return server_pid; }
unsigned net_keeper_starts(void) { return starts; }
int net_keeper_enabled(void) { return enabled; }

static int alive(int pid) {
    struct proc *p = pid ? proc_by_pid(pid) : 0;
    return p && p->state != PROC_UNUSED && p->state != PROC_ZOMBIE;
}

static void start_server(uint64_t now) {
    if (now - window_start >= NET_KEEPER_WINDOW_MS) { window_start = now; window_starts = 0; }
    if (window_starts >= NET_KEEPER_BURST) {
        next_try = window_start + NET_KEEPER_WINDOW_MS;
        kprintf("[net] netd ended %d times within a minute: next start in %lu s\n", NET_KEEPER_BURST,
                (next_try - now) / 1000);
        return;
    }
    char *argv[] = { NET_KEEPER_PATH, "--daemon", 0 };
    const char *why = "";
    int pid = proc_spawn(NET_KEEPER_PATH, 2, argv, -1, &why);
    if (pid < 0) {
        kprintf("[net] cannot start %s: %s (error %d); trying again in 5 s\n", NET_KEEPER_PATH, why, pid);
        next_try = now + 5000;
        return;
    }
    window_starts++;
    server_pid = pid;
    kprintf(starts++ ? "[net] netd restarted pid=%d\n" : "[net] netd started pid=%d\n", pid);
}

static void keeper_loop(void) {
    for (;;) {
        uint64_t now = timer_ticks() * 1000 / TIMER_HZ;
        if (!alive(server_pid)) {
            if (server_pid) {
                kprintf("[net] netd (pid %d) ended; restarting it in 1 s\n", server_pid);
                server_pid = 0;
                next_try = now + 1000;
            } else if (now >= next_try) {
                start_server(now);
            }
        }
        sched_sleep_ms(200);
    }
}

int socket_init(void) {
    int e = netsrv_file_init();
    if (e) kprintf("[net] cannot register /dev/netsrv (error %d): no sockets\n", e);
    return e;
}

int net_keeper_start(const char *cmdline) {
    const char *v;
    size_t len;
    if (!cmdline_find(cmdline, "net", &v, &len)) return 0;
    if (len == 3 && memcmp(v, "off", 3) == 0) return 0;
    if (len != 2 || memcmp(v, "on", 2) != 0) {
        kprintf("[net] net= takes on or off; the network server is not started\n");
        return -1;
    }
    enabled = 1;
    int pid = proc_spawn_kthread("netkeeper", keeper_loop);
    if (pid < 0) kprintf("[net] no thread for the network server's keeper (error %d)\n", pid);
    return pid < 0 ? pid : 0;
}

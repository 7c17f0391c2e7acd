/* Boot-script rights (see fs/boot_script.h). An allowlist, not a blocklist:
 * a command added later is refused in boot scripts until someone decides
 * it is harmless there. */
#include "console/boot_script.h"
#include "fs/fs.h"
#include "console/shell_fs.h"
#include "kernel/time.h"
#include "lib/string.h"

static const char *const allowed[] = {
    /* Not clear: it would wipe the boot messages (refusals included) off the screen. */
    "echo", "help", "info", "uptime", "colors", "mem", "ps", "wxcheck", "vmmap",
    "drvinfo", "drvlog", "source",
    "rfadd", "rfappendline", "rfcat", "rfcd", "rfdel", "rfinfo", "rfls", "rfmkdir", "rfmv", "rfpwd",
    "rfrmdir", "rftree", "rftruncate", "rfusage", "rfwrite",
    "vcat", "vinfo", "vls", "vpwd",
};

static int active;
static uint32_t lines;
static uint64_t started_ms;
static int stopped;

int fs_run_boot_script(const char *path, const char *label) {
    active = 1;
    lines = 0;
    stopped = 0;
    started_ms = timer_uptime_ms();
    int r = fs_run_script(path, label);
    active = 0;
    return r;
}

int boot_script_stopped(void) { return active && stopped; }

const char *boot_script_check(const char *line) {
    if (!active) return 0;
    if (stopped) return " (boot script stopped: over its line or time budget)";
    if (++lines > BOOT_SCRIPT_MAX_LINES || timer_uptime_ms() - started_ms > BOOT_SCRIPT_MAX_MS) {
        stopped = 1;
        return " (boot script stopped: over its line or time budget)";
    }
    while (*line == ' ' || *line == '\t') line++;
    size_t n = 0;
    while (line[n] && line[n] != ' ' && line[n] != '\t') n++;
    if (n == 0 || line[0] == '#') return 0; /* blank or comment */
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (strlen(allowed[i]) == n && memcmp(allowed[i], line, n) == 0) return 0;
    return " (not allowed in the boot script: console only)";
}

/* Jobs: every pipeline (or background list) the shell starts is a job, a
 * set of processes it waits for together. With job control (an
 * interactive shell on a terminal that lets it set the foreground process
 * group) each job is its own process group: the foreground one is given
 * the terminal with tcsetpgrp, so Ctrl-C and Ctrl-Z reach it and not the
 * shell; a stopped job stays in the table until fg or bg continues it
 * (SIGCONT to the group). Without job control (scripts, -c, no terminal)
 * jobs share the shell's group and are only waited for. */
#include "sh.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAX_JOBS 32
#define MAX_PROCS 64

struct job {
    int id;               /* %n; 0: the slot is free */
    pid_t pgid;
    int npids;
    pid_t pids[MAX_PROCS];
    int status[MAX_PROCS]; /* wait status of each finished process */
    char done[MAX_PROCS], stopped[MAX_PROCS];
    char *text;
    int background;       /* listed by `jobs` (started with &, or stopped) */
    unsigned long seq;    /* for the current job (%+): the newest */
};

static struct job jobs[MAX_JOBS];
static unsigned long job_seq;
static int jc;            /* job control on */
static int tty = -1;
static pid_t sh_pgrp;

int job_control_on(void) { return jc; }
int shell_tty(void) { return tty; }
pid_t shell_pgid(void) { return sh_pgrp; }

static const int job_signals[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGTERM };

void jobs_init(int interactive) {
    jc = 0;
    if (!interactive) return;
    /* An interactive shell survives Ctrl-C and kill without -9. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    if (!isatty(0)) return;
    tty = 0;
    /* Started in the background of another shell: wait to be foreground. */
    pid_t fg;
    while ((fg = tcgetpgrp(tty)) >= 0 && fg != getpgrp()) kill(-getpgrp(), SIGTTIN);
    if (fg < 0) return;
    signal(SIGTSTP, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    if (getpgrp() != getpid()) setpgid(0, 0); /* fails for a session leader, which leads its group anyway */
    sh_pgrp = getpgrp();
    if (tcsetpgrp(tty, sh_pgrp) < 0) return;
    jc = 1;
}

void job_child_setup(pid_t pgid, int background) {
    if (jc && pgid >= 0) {
        setpgid(0, pgid);
        if (!background) tcsetpgrp(tty, pgid ? pgid : getpid());
    }
    for (size_t i = 0; i < sizeof job_signals / sizeof job_signals[0]; i++) signal(job_signals[i], SIG_DFL);
    if (background && !jc) {
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
    }
}

void jobs_forget(void) {
    for (int i = 0; i < MAX_JOBS; i++) {
        free(jobs[i].text);
        memset(&jobs[i], 0, sizeof jobs[i]);
    }
    jc = 0;
}

void enter_subshell(void) {
    sh.in_subshell = 1;
    sh.interactive = 0;
    jobs_forget();
}

static void job_free(struct job *j) {
    free(j->text);
    memset(j, 0, sizeof *j);
}

struct job *job_new(pid_t pgid, const char *text, int background) {
    struct job *j = NULL;
    for (int i = 0; i < MAX_JOBS && !j; i++)
        if (!jobs[i].id) j = &jobs[i];
    if (!j) { /* full: a finished job nobody waited for makes room */
        for (int i = 0; i < MAX_JOBS && !j; i++) {
            int all = 1;
            for (int k = 0; k < jobs[i].npids; k++) all &= jobs[i].done[k];
            if (all) { job_free(&jobs[i]); j = &jobs[i]; }
        }
        if (!j) { j = &jobs[0]; job_free(j); }
    }
    int id = 1; /* the smallest free number */
    for (int again = 1; again;) {
        again = 0;
        for (int i = 0; i < MAX_JOBS; i++)
            if (jobs[i].id == id) { id++; again = 1; }
    }
    j->id = id;
    j->pgid = pgid;
    j->text = xstrdup(text);
    j->background = background;
    j->seq = ++job_seq;
    return j;
}

void job_add_pid(struct job *j, pid_t pid) {
    if (j->npids < MAX_PROCS) j->pids[j->npids++] = pid;
}

enum job_state { J_RUNNING, J_STOPPED, J_DONE };

static enum job_state job_state(const struct job *j) {
    int running = 0, stopped = 0;
    for (int i = 0; i < j->npids; i++) {
        if (j->done[i]) continue;
        if (j->stopped[i]) stopped++;
        else running++;
    }
    return running ? J_RUNNING : stopped ? J_STOPPED : J_DONE;
}

/* Books a wait status under the job that has pid. */
static void record(pid_t pid, int st) {
    for (int i = 0; i < MAX_JOBS; i++)
        for (int k = 0; jobs[i].id && k < jobs[i].npids; k++) {
            if (jobs[i].pids[k] != pid) continue;
            if (WIFSTOPPED(st)) jobs[i].stopped[k] = 1;
            else if (WIFCONTINUED(st)) jobs[i].stopped[k] = 0;
            else { jobs[i].done[k] = 1; jobs[i].status[k] = st; }
            return;
        }
}

/* One blocking wait; 0 when there is no child left to wait for. */
static int wait_one(void) {
    int st;
    pid_t pid = waitpid(-1, &st, jc ? WUNTRACED : 0);
    if (pid > 0) { record(pid, st); return 1; }
    if (errno == EINTR) return 1;
    /* ECHILD: whatever we still thought running is gone. */
    for (int i = 0; i < MAX_JOBS; i++)
        for (int k = 0; k < jobs[i].npids; k++)
            if (!jobs[i].done[k]) jobs[i].done[k] = 1;
    return 0;
}

void jobs_reap(int report) {
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG | (jc ? WUNTRACED | WCONTINUED : 0))) > 0) record(pid, st);
    if (!report) return;
    for (int i = 0; i < MAX_JOBS; i++) {
        struct job *j = &jobs[i];
        if (j->id && j->background && job_state(j) == J_DONE) {
            fprintf(stderr, "[%d]   Done                    %s\n", j->id, j->text);
            job_free(j);
        }
    }
}

static struct job *current_job(void) {
    struct job *best = NULL;
    for (int i = 0; i < MAX_JOBS; i++)
        if (jobs[i].id && jobs[i].background && (!best || jobs[i].seq > best->seq)) best = &jobs[i];
    return best;
}

static const char *state_name(const struct job *j) {
    switch (job_state(j)) {
    case J_RUNNING: return "Running";
    case J_STOPPED: return "Stopped";
    default: return "Done";
    }
}

static void print_job(const struct job *j) {
    fprintf(stdout, "[%d]%c  %-22s  %s\n", j->id, j == current_job() ? '+' : ' ', state_name(j), j->text);
}

void job_report_background(struct job *j) {
    if (sh.interactive) fprintf(stderr, "[%d] %d\n", j->id, (int)j->pids[j->npids - 1]);
}

int job_wait_fg(struct job *j) {
    while (job_state(j) == J_RUNNING)
        if (!wait_one()) break;
    if (jc) tcsetpgrp(tty, sh_pgrp);
    input_restore_terminal();
    if (job_state(j) == J_STOPPED) {
        j->background = 1;
        j->seq = ++job_seq;
        fprintf(stderr, "\n[%d]+  Stopped                 %s\n", j->id, j->text);
        return 128 + SIGTSTP;
    }
    int st = j->npids ? j->status[j->npids - 1] : 0;
    for (int k = 0; k < j->npids; k++) {
        int s = j->status[k];
        if (!WIFSIGNALED(s)) continue;
        int sig = WTERMSIG(s);
        if (sig == SIGINT && sh.interactive) fputc('\n', stderr);
        else if (sig != SIGINT && sig != SIGPIPE && k == j->npids - 1)
            fprintf(stderr, "%s%s\n", strsignal(sig), WCOREDUMP(s) ? " (core dumped)" : "");
    }
    job_free(j);
    return status_of(st);
}

/* "%n", "%%", "%+" or "%-"(taken as the current one); NULL with a message. */
static struct job *find_job(const char *spec, const char *who) {
    struct job *j = NULL;
    if (!spec || !strcmp(spec, "%%") || !strcmp(spec, "%+") || !strcmp(spec, "%-") || !strcmp(spec, "%")) {
        j = current_job();
        if (!j) sh_error("%s: no current job", who);
        return j;
    }
    const char *s = spec[0] == '%' ? spec + 1 : spec;
    char *end;
    long id = strtol(s, &end, 10);
    if (spec[0] == '%' && *s && !*end) {
        for (int i = 0; i < MAX_JOBS; i++)
            if (jobs[i].id == id) return &jobs[i];
    } else if (spec[0] != '%' && *s && !*end) { /* a pid */
        for (int i = 0; i < MAX_JOBS; i++)
            for (int k = 0; jobs[i].id && k < jobs[i].npids; k++)
                if (jobs[i].pids[k] == id) return &jobs[i];
    }
    sh_error("%s: %s: no such job", who, spec);
    return NULL;
}

/* A stopped job is continued after the signal, as bash does, so that it
 * acts on it now (a stopped process only takes SIGKILL and SIGCONT). */
int job_kill(const char *spec, int sig) {
    struct job *j = find_job(spec, "kill");
    if (!j) return -2;
    int stopped = job_state(j) == J_STOPPED && sig != SIGKILL && sig != SIGCONT;
    if (jc) {
        int r = kill(-j->pgid, sig);
        if (r == 0 && stopped) kill(-j->pgid, SIGCONT);
        return r;
    }
    int r = -1;
    for (int k = 0; k < j->npids; k++)
        if (!j->done[k] && kill(j->pids[k], sig) == 0) {
            r = 0;
            if (stopped) kill(j->pids[k], SIGCONT);
        }
    return r;
}

/* An interactive shell that exits hangs up its jobs (bash's huponexit):
 * leaving the terminal leaves nothing of the session behind. */
void jobs_hangup(void) {
    if (!jc) return;
    for (int i = 0; i < MAX_JOBS; i++) {
        if (!jobs[i].id) continue;
        kill(-jobs[i].pgid, SIGHUP);
        kill(-jobs[i].pgid, SIGCONT);
    }
}

static void continue_job(struct job *j) {
    for (int k = 0; k < j->npids; k++) j->stopped[k] = 0;
    if (jc) kill(-j->pgid, SIGCONT);
    else
        for (int k = 0; k < j->npids; k++)
            if (!j->done[k]) kill(j->pids[k], SIGCONT);
}

int fg_builtin(int argc, char **argv) {
    if (!jc) {
        sh_error("fg: no job control");
        return 1;
    }
    struct job *j = find_job(argc > 1 ? argv[1] : NULL, "fg");
    if (!j) return 1;
    printf("%s\n", j->text);
    fflush(stdout);
    j->background = 0;
    tcsetpgrp(tty, j->pgid);
    continue_job(j);
    return job_wait_fg(j);
}

int bg_builtin(int argc, char **argv) {
    if (!jc) {
        sh_error("bg: no job control");
        return 1;
    }
    struct job *j = find_job(argc > 1 ? argv[1] : NULL, "bg");
    if (!j) return 1;
    j->background = 1;
    continue_job(j);
    printf("[%d]+ %s &\n", j->id, j->text);
    return 0;
}

int jobs_builtin(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        sh_error("usage: jobs");
        return 2;
    }
    jobs_reap(0);
    for (int i = 0; i < MAX_JOBS; i++)
        if (jobs[i].id && jobs[i].background) print_job(&jobs[i]);
    fflush(stdout);
    for (int i = 0; i < MAX_JOBS; i++)
        if (jobs[i].id && jobs[i].background && job_state(&jobs[i]) == J_DONE) job_free(&jobs[i]);
    return 0;
}

/* Waits until j is done (or stopped); its status, and j is gone. */
static int wait_job(struct job *j) {
    while (job_state(j) == J_RUNNING)
        if (!wait_one()) break;
    if (job_state(j) == J_STOPPED) return 128 + SIGTSTP;
    int st = status_of(j->status[j->npids - 1]);
    job_free(j);
    return st;
}

int wait_builtin(int argc, char **argv) {
    if (argc == 1) {
        for (int i = 0; i < MAX_JOBS; i++)
            if (jobs[i].id && job_state(&jobs[i]) != J_STOPPED) wait_job(&jobs[i]);
        return 0;
    }
    int st = 0;
    for (int a = 1; a < argc; a++) {
        struct job *j = find_job(argv[a], "wait");
        st = j ? wait_job(j) : 127;
    }
    return st;
}


/*  zp_process: spawning and reaping child processes. Linux (prctl). */
#define _GNU_SOURCE /* sched_getaffinity */
#include "zp_process.h"

#include <czmq.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

pid_t zp_process_spawn (const char *const *argv)
{
    pid_t parent = getpid ();
    pid_t pid = fork ();
    if (pid != 0)
        return pid;
    /* Child: die with the parent; if it is already gone, do not start. */
    prctl (PR_SET_PDEATHSIG, SIGTERM);
    if (getppid () != parent)
        _exit (1);
    int null = open ("/dev/null", O_RDONLY);
    if (null >= 0) {
        dup2 (null, 0);
        close (null);
    }
    execv (argv[0], (char *const *) argv);
    fprintf (stderr, "zpregel: cannot start %s: %s\n", argv[0], strerror (errno));
    _exit (127);
}

static int s_status (int raw)
{
    if (WIFEXITED (raw))
        return WEXITSTATUS (raw);
    if (WIFSIGNALED (raw))
        return 128 + WTERMSIG (raw);
    return -1;
}

int zp_process_poll (pid_t pid, int *status)
{
    int raw;
    pid_t done = waitpid (pid, &raw, WNOHANG);
    if (done < 0)
        return -1;
    if (done == 0)
        return 0;
    *status = s_status (raw);
    return 1;
}

/* Polls the processes still running in pids[] every 10 ms for up to
   timeout_ms; those that end get their status and leave (pid 0). Whether
   all have ended. */
static bool s_wait_all (pid_t *pids, int *statuses, size_t n, int timeout_ms)
{
    for (int waited = 0;; waited += 10) {
        size_t running = 0;
        for (size_t i = 0; i < n; i++) {
            int status = -1;
            if (pids[i] <= 0)
                continue;
            int rc = zp_process_poll (pids[i], &status);
            if (rc != 0) {
                statuses[i] = rc == 1 ? status : -1;
                pids[i] = 0;
            } else
                running++;
        }
        if (!running)
            return true;
        if (waited >= timeout_ms)
            return false;
        nanosleep (&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
}

void zp_process_stop_all (const pid_t *pids, int *statuses, size_t n, int timeout_ms)
{
    pid_t left[n ? n : 1];
    int got[n ? n : 1];
    for (size_t i = 0; i < n; i++) {
        left[i] = pids[i];
        got[i] = -1;
    }
    if (!s_wait_all (left, got, n, timeout_ms)) {
        for (size_t i = 0; i < n; i++)
            if (left[i] > 0)
                kill (left[i], SIGTERM);
        if (!s_wait_all (left, got, n, 1000))
            for (size_t i = 0; i < n; i++)
                if (left[i] > 0) {
                    kill (left[i], SIGKILL);
                    int raw;
                    if (waitpid (left[i], &raw, 0) == left[i])
                        got[i] = s_status (raw);
                }
    }
    for (size_t i = 0; statuses && i < n; i++)
        statuses[i] = got[i];
}

int zp_process_stop (pid_t pid, int timeout_ms)
{
    int status = -1;
    zp_process_stop_all (&pid, &status, 1, timeout_ms);
    return status;
}

static volatile sig_atomic_t s_signal;

static void s_on_signal (int signo)
{
    s_signal = signo;
    zsys_interrupted = 1;
}

void zp_process_catch_signals (void)
{
    zsys_handler_set (s_on_signal);
}

int zp_process_signal (void)
{
    return (int) s_signal;
}

const char *zp_process_hostname (void)
{
    static char name[256];
    if (!name[0] && gethostname (name, sizeof name - 1) != 0)
        snprintf (name, sizeof name, "localhost");
    return name;
}

zp_child_end_t zp_process_end (int status)
{
    return status == 0                         ? ZP_CHILD_FINISHED
           : status == ZP_EXIT_PROGRAM_CRASHED ? ZP_CHILD_CRASHED
           : status > 128                      ? ZP_CHILD_LOST
                                               : ZP_CHILD_FAILED;
}

void zp_process_end_text (const char *role, const char *name, pid_t pid, int status, char *buf,
                          size_t len)
{
    zp_child_end_t end = zp_process_end (status);
    if (end == ZP_CHILD_CRASHED)
        snprintf (buf, len,
                  "%s %s (pid %d): its program crashed (the line above says where); not started "
                  "again, the same input would crash it again",
                  role, name, (int) pid);
    else if (end == ZP_CHILD_LOST)
        snprintf (buf, len, "%s %s (pid %d) exited with status %d (killed by signal %d)", role,
                  name, (int) pid, status, status - 128);
    else
        snprintf (buf, len, "%s %s (pid %d) exited with status %d", role, name, (int) pid, status);
}

uint32_t zp_process_cpus (void)
{
    cpu_set_t set;
    if (sched_getaffinity (0, sizeof set, &set) == 0 && CPU_COUNT (&set) > 0)
        return (uint32_t) CPU_COUNT (&set);
    long n = sysconf (_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t) n : 1;
}

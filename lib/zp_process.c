/*  zp_process: spawning and reaping child processes. Linux (prctl). */
#include "zp_process.h"

#include <errno.h>
#include <fcntl.h>
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

/* Polls every 10 ms for up to timeout_ms. */
static int s_wait (pid_t pid, int timeout_ms, int *status)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        int rc = zp_process_poll (pid, status);
        if (rc != 0)
            return rc;
        nanosleep (&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    return 0;
}

int zp_process_stop (pid_t pid, int timeout_ms)
{
    int status = -1;
    if (s_wait (pid, timeout_ms, &status) != 0)
        return status;
    kill (pid, SIGTERM);
    if (s_wait (pid, 1000, &status) != 0)
        return status;
    kill (pid, SIGKILL);
    int raw;
    if (waitpid (pid, &raw, 0) == pid)
        return s_status (raw);
    return -1;
}

const char *zp_process_hostname (void)
{
    static char name[256];
    if (!name[0] && gethostname (name, sizeof name - 1) != 0)
        snprintf (name, sizeof name, "localhost");
    return name;
}

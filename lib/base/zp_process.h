/*  zp_process: the child processes of a job (tcp workers on this host),
    and the one rule that supervises them.

    A child is started with PR_SET_PDEATHSIG, so it dies with the process
    that started it: a killed `zpregel run` leaves no orphan workers behind.
    Its stdin is /dev/null; stdout and stderr are shared with the parent.

    Both supervisors, `zpregel run` (nodes/zp_job.c) and `zpregel launch`
    (cli/), judge a child that ended by zp_process_end: one that died of a
    signal is a lost node and may be started again; one whose program
    crashed, or that exited with a status of its own, is not.
*/
#ifndef ZP_PROCESS_H
#define ZP_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The exit status of a zpregel process whose vertex program crashed (a
   signal in compute(), reported on stderr with the superstep and the
   vertex). It is not a signal death, so nothing starts the node again:
   the same input would crash it again. */
#define ZP_EXIT_PROGRAM_CRASHED 4

/* How a child node ended, and what its supervisor does about it. */
typedef enum {
    ZP_CHILD_FINISHED, /* exit 0 */
    ZP_CHILD_FAILED,   /* another exit status: it said why; starting it again would not help */
    ZP_CHILD_CRASHED,  /* ZP_EXIT_PROGRAM_CRASHED: the same input would crash it again */
    ZP_CHILD_LOST      /* died of a signal (kill -9, the OOM killer): may be started again */
} zp_child_end_t;

/* The verdict on exit status `status` (as zp_process_poll gives it). */
zp_child_end_t zp_process_end (int status);
/* Says how `role` `name` (pid `pid`) ended, in `buf`: "worker t2 (pid 12)
   exited with status 137 (killed by signal 9)", or for a crashed program
   why it is not started again. */
void zp_process_end_text (const char *role, const char *name, pid_t pid, int status, char *buf,
                          size_t len);

/* Starts argv[0] with argv; returns the pid, or -1 (errno set). */
pid_t zp_process_spawn (const char *const *argv);

/* Non-blocking: 1 if `pid` has ended (and *status holds its exit code, or
   128 + signal), 0 if it still runs, -1 on error. */
int zp_process_poll (pid_t pid, int *status);

/* Waits up to `timeout_ms` for `pid` to end, then sends SIGTERM, waits up to
   1 s more, then SIGKILL. Returns its exit status (as zp_process_poll). */
int zp_process_stop (pid_t pid, int timeout_ms);
/* The same for `n` processes at once (a pid <= 0 is skipped): the waits
   are shared, so stopping many takes no longer than stopping one. Their
   exit statuses go to statuses[] (may be NULL). */
void zp_process_stop_all (const pid_t *pids, int *statuses, size_t n, int timeout_ms);

/* SIGINT and SIGTERM end a zpregel process the czmq way (zsys_interrupted
   is set; every node and wait in it ends soon) and are remembered, so that
   it can exit with 128 + the signal, as shells expect. Call once, after
   zsys_init. */
void zp_process_catch_signals (void);
/* The signal that interrupted this process, or 0. */
int zp_process_signal (void);

/* This machine's host name (static buffer). */
const char *zp_process_hostname (void);

/* The CPUs this process may run on (its affinity mask), at least 1. */
uint32_t zp_process_cpus (void);

#endif

/*  Child processes and the one supervision rule of `zpregel run` and
    `zpregel launch`: real children that finish, fail, crash their program
    or are killed, each judged and described as the supervisors do. */
#include "zp_test.h"
#include "zp_process.h"

#include <signal.h>
#include <unistd.h>

/* Runs `sh -c script` and returns its status as zp_process_poll gives it. */
static int s_status_of (const char *script)
{
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    pid_t pid = zp_process_spawn (argv);
    cr_assert_gt (pid, 0);
    int status = -1;
    for (int i = 0; i < 1000 && zp_process_poll (pid, &status) == 0; i++)
        usleep (10 * 1000);
    cr_assert_neq (status, -1, "the child did not end within 10 s");
    return status;
}

Test (process, each_way_a_child_ends_gets_its_verdict)
{
    cr_assert_eq (zp_process_end (s_status_of ("exit 0")), ZP_CHILD_FINISHED);
    cr_assert_eq (zp_process_end (s_status_of ("exit 1")), ZP_CHILD_FAILED);
    cr_assert_eq (zp_process_end (s_status_of ("exit 4")), ZP_CHILD_CRASHED);
    int killed = s_status_of ("kill -9 $$");
    cr_assert_eq (killed, 128 + SIGKILL);
    cr_assert_eq (zp_process_end (killed), ZP_CHILD_LOST);
}

Test (process, the_text_says_who_ended_and_how)
{
    char buf[600];
    zp_process_end_text ("worker", "t2", 12, 137, buf, sizeof buf);
    cr_assert_str_eq (buf, "worker t2 (pid 12) exited with status 137 (killed by signal 9)");
    zp_process_end_text ("router", "r1", 13, 1, buf, sizeof buf);
    cr_assert_str_eq (buf, "router r1 (pid 13) exited with status 1");
    zp_process_end_text ("worker", "w0", 14, ZP_EXIT_PROGRAM_CRASHED, buf, sizeof buf);
    cr_assert (strstr (buf, "worker w0 (pid 14): its program crashed") &&
                   strstr (buf, "the same input would crash it again"),
               "%s", buf);
}

Test (process, children_that_ignore_sigterm_are_killed, .timeout = 60)
{
    pid_t pids[3];
    char ready[3][4300];
    for (int i = 0; i < 3; i++) {
        snprintf (ready[i], sizeof ready[i], "%s/ready%d", zp_test_tmpdir (), i);
        char script[4400];
        snprintf (script, sizeof script, "trap '' TERM; : > %s; while :; do sleep 1; done",
                  ready[i]);
        const char *argv[] = {"/bin/sh", "-c", script, NULL};
        pids[i] = zp_process_spawn (argv);
        cr_assert_gt (pids[i], 0);
    }
    /* Each ignores SIGTERM once its file is there. */
    for (int i = 0; i < 3; i++)
        for (int t = 0; t < 1000 && access (ready[i], F_OK) != 0; t++)
            usleep (10 * 1000);
    int statuses[3];
    /* SIGTERM is ignored: after 1 s, SIGKILL. */
    zp_process_stop_all (pids, statuses, 3, 0);
    for (int i = 0; i < 3; i++)
        cr_assert_eq (statuses[i], 128 + SIGKILL, "status %d", statuses[i]);
}

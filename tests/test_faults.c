/*  Faults injected on purpose, on real processes over loopback: a receiver
    that stalls, a worker or router killed with SIGKILL, a master that dies,
    a worker that hangs. With recoveries the job ends with the same answer;
    without, with a clear error; always within a bounded time and with no
    process left behind. */
#include "zp_test.h"

#include <czmq.h>

#include <signal.h>
#include <unistd.h>

/* The program of the jobs s_job writes: PageRank, unless a test says. */
static const char *s_algorithm = "pr";

/* A PageRank job on the Debian graph: one inproc worker and two tcp worker
   processes, `iterations` supersteps long. */
static const char *s_job (const char *dir, const char *name, int iterations, const char *extra)
{
    char yaml[4096], file[300];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: %s\n  graph: %s\n  output: %s/%s.out\n"
              "  params:\n    iterations: %d\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
              "workers:\n  - name: w0\n"
              "  - name: t1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "  - name: t2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n%s",
              s_algorithm, zp_test_path ("data/debian-deps.properties"), dir, name, iterations,
              zp_test_port (), zp_test_port (), zp_test_port (), zp_test_port (), extra);
    snprintf (file, sizeof file, "%s.yaml", name);
    static char path[4200];
    snprintf (path, sizeof path, "%s", zp_test_write (dir, file, yaml));
    return path;
}

/* Runs `plain` (the job of `name` without the fault, writing dir/plain.out)
   and checks that dir/NAME.out has the same bytes, or (within > 0) the
   same values within that relative difference. */
static void s_assert_same_as_plain (const char *dir, const char *name, const char *plain,
                                    double within)
{
    const char *again[] = {zp_test_bin (), "run", plain, "--quiet", NULL};
    zp_test_run_t r;
    zp_test_run (again, 120, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    char a[4300], b[4300];
    snprintf (a, sizeof a, "%s/%s.out", dir, name);
    snprintf (b, sizeof b, "%s/plain.out", dir);
    if (within > 0) {
        double rel = zp_test_max_relative (a, b);
        cr_assert (rel >= 0 && rel < within, "%s: the answer differs by %g", name, rel);
        return;
    }
    char *ta = zp_test_read (a, NULL), *tb = zp_test_read (b, NULL);
    cr_assert (ta && tb && strcmp (ta, tb) == 0,
               "%s: the answer differs from a run without the fault", name);
    free (ta);
    free (tb);
}

/* The job `name` as s_job writes it, with a death noticed within 5 s (a
   machine at load 12, two suites and a build, was seen to take a live
   worker's heartbeats for 3 s of silence, right after a checkpoint: a
   false death these tests are not about) and a checkpoint every 20
   supersteps in
   dir/ckpt, as on a cluster where t1 and t2 are on
   host "far": `zpregel master JOB [--set SET]` is started, and either the
   worker processes t1 and t2 (pids[1], pids[2]) or, with `launch`,
   `zpregel launch JOB --host far` (pids[1]). stdout and stderr in o[], e[].
   `more` (or NULL) is added to the job file. */
static void s_start_cluster (const char *dir, const char *name, int iterations, const char *set,
                             bool launch, const char *more, char *job, int pids[3], char o[3][4200],
                             char e[3][4200])
{
    char extra[2048];
    snprintf (extra, sizeof extra,
              "reliability:\n  heartbeat_ms: 200\n  liveness: 25\n  checkpoint_every: 20\n"
              "  checkpoint_dir: %s/ckpt\n%s",
              dir, more ? more : "");
    snprintf (job, 4200, "%s", s_job (dir, name, iterations, extra));
    const char *far1 = "workers[1].host=far", *far2 = "workers[2].host=far";
    const char *master[] = {zp_test_bin (),       "master", job, "--set", far1, "--set", far2,
                            set ? "--set" : NULL, set,      NULL};
    const char *host[] = {zp_test_bin (), "launch", job,     "--host", "far",
                          "--set",        far1,     "--set", far2,     NULL};
    const char *t1[] = {zp_test_bin (), "worker", job, "--name", "t1", NULL};
    const char *t2[] = {zp_test_bin (), "worker", job, "--name", "t2", NULL};
    pids[0] = zp_test_start (master, o[0], e[0]);
    pids[1] = zp_test_start (launch ? host : t1, o[1], e[1]);
    pids[2] = launch ? 0 : zp_test_start (t2, o[2], e[2]);
}

Test (faults, a_stalled_receiver_is_retried_and_the_answer_is_the_same, .timeout = 120)
{
    char dir[4096], job[4200], out[4200], err[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    /* Small batches keep traffic in flight through most of each superstep,
       so the stall finds batches to t1 not yet ACKed. */
    snprintf (job, sizeof job, "%s",
              s_job (dir, "stall", 300,
                     "engine:\n  batch_bytes: 4KiB\nreliability:\n  ack_timeout_ms: 50\n"));
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    cr_assert (zp_test_wait_for (err, "superstep 5:", 60), "the job did not start:\n%s",
               zp_test_read (err, NULL));
    int victim = zp_test_find_process (job, "--name t1");
    cr_assert_gt (victim, 0);
    /* Three stalls of a second: shorter than the liveness window (5 x 1 s),
       far longer than the ACK timeout. Each is very likely to catch batches
       to t1 in flight; three make it all but certain. */
    const char *marks[] = {"superstep 5:", "superstep 60:", "superstep 120:"};
    for (int i = 0; i < 3; i++) {
        cr_assert (zp_test_wait_for (err, marks[i], 60), "no %s", marks[i]);
        kill (victim, SIGSTOP);
        sleep (1);
        kill (victim, SIGCONT);
    }
    cr_assert_eq (zp_test_wait (pid, 120), 0, "%s", zp_test_read (err, NULL));
    char *summary = zp_test_read (out, NULL);
    unsigned long retries = 0, duplicates = 0;
    const char *line = strstr (summary, "delivery  ");
    cr_assert_not_null (line, "no retries counted:\n%s", summary);
    cr_assert_eq (sscanf (line, "delivery  %lu batches sent again, %lu duplicates dropped",
                          &retries, &duplicates),
                  2);
    cr_assert_gt (retries, 0);
    cr_assert_gt (duplicates, 0, "the re-sent batches reached the receiver twice");
    free (summary);
    /* The same job without the fault: the same bytes. */
    char plain[4200];
    snprintf (plain, sizeof plain, "%s",
              s_job (dir, "plain", 300, "engine:\n  batch_bytes: 4KiB\n"));
    s_assert_same_as_plain (dir, "stall", plain, 0);
}

/* Once the job's stderr (`err`) shows superstep `step`, kills its process
   whose command line has `victim` with SIGKILL; returns its pid. */
static int s_kill_mid_job (const char *err, const char *job, const char *victim, int step)
{
    char seen[32];
    snprintf (seen, sizeof seen, "superstep %d:", step);
    cr_assert (zp_test_wait_for (err, seen, 60), "the job did not start:\n%s",
               zp_test_read (err, NULL));
    int pid = zp_test_find_process (job, victim);
    cr_assert_gt (pid, 0, "no process of %s has %s", job, victim);
    kill (pid, SIGKILL);
    return pid;
}

/* Runs `job` (recoveries off) and kills its node NAME, a worker or router
   process, after superstep 5: the job fails at once, naming it, and leaves
   no process behind. */
static void s_killed_fails_at_once (const char *job, const char *role, const char *name)
{
    char out[4200], err[4200], needle[64];
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    snprintf (needle, sizeof needle, "--name %s", name);
    int victim = s_kill_mid_job (err, job, needle, 5);
    cr_assert_eq (zp_test_wait (pid, 30), 1);
    char *text = zp_test_read (err, NULL);
    char want[128];
    snprintf (want, sizeof want, "%s %s (pid %d) exited with status 137", role, name, victim);
    cr_assert (strstr (text, want), "%s", text);
    free (text);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "processes of %s left behind:\n%s", job, left);
}

Test (faults, without_recoveries_a_killed_worker_fails_the_job_at_once, .timeout = 60)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_killed_fails_at_once (s_job (dir, "kill", 100000, "reliability:\n  max_recoveries: 0\n"),
                            "worker", "t2");
}

Test (faults, without_recoveries_workers_give_up_on_a_dead_master, .timeout = 60)
{
    /* The master alone (zpregel master starts no worker), the tcp workers
       on their own: kill the master and they must end by themselves. */
    char dir[4096], job[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (job, sizeof job, "%s",
              s_job (dir, "orphans", 100000,
                     "reliability:\n  heartbeat_ms: 200\n  liveness: 10\n  max_recoveries: 0\n"));
    char o[3][4200], e[3][4200];
    const char *master[] = {zp_test_bin (), "master", job, NULL};
    const char *t1[] = {zp_test_bin (), "worker", job, "--name", "t1", NULL};
    const char *t2[] = {zp_test_bin (), "worker", job, "--name", "t2", NULL};
    int pm = zp_test_start (master, o[0], e[0]);
    int p1 = zp_test_start (t1, o[1], e[1]);
    int p2 = zp_test_start (t2, o[2], e[2]);
    cr_assert (zp_test_wait_for (e[0], "superstep 5:", 60), "the job did not start:\n%s",
               zp_test_read (e[0], NULL));
    kill (pm, SIGKILL);
    zp_test_wait (pm, 5);
    cr_assert_eq (zp_test_wait (p1, 20), 1, "worker t1 did not give up");
    cr_assert_eq (zp_test_wait (p2, 20), 1, "worker t2 did not give up");
    char *text = zp_test_read (e[1], NULL);
    cr_assert (strstr (text, "worker t1: the master at tcp://127.0.0.1:"), "%s", text);
    cr_assert (strstr (text, "is silent for"), "%s", text);
    free (text);
}

Test (faults, without_recoveries_a_hung_worker_is_declared_dead, .timeout = 60)
{
    char dir[4096], job[4200], out[4200], err[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (job, sizeof job, "%s",
              s_job (dir, "hung", 100000,
                     "reliability:\n  heartbeat_ms: 200\n  liveness: 10\n  max_recoveries: 0\n"));
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    cr_assert (zp_test_wait_for (err, "superstep 5:", 60), "the job did not start:\n%s",
               zp_test_read (err, NULL));
    int victim = zp_test_find_process (job, "--name t1");
    cr_assert_gt (victim, 0);
    kill (victim, SIGSTOP); /* alive to the kernel, silent to the job */
    cr_assert_eq (zp_test_wait (pid, 30), 1);
    char *text = zp_test_read (err, NULL);
    cr_assert (strstr (text, "worker t1 (tcp://127.0.0.1:"), "%s", text);
    cr_assert (strstr (text, "is silent: no heartbeat for"), "%s", text);
    free (text);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "processes of %s left behind:\n%s", job, left);
}

Test (faults, a_master_busy_for_longer_than_the_liveness_window_is_not_a_death, .timeout = 90)
{
    /* Nodes give up on a master they hear nothing from for liveness x
       heartbeat_ms (2 s here: a window of 0.5 s was once missed by a
       heartbeat thread starved on a host at load 12, the suite beside two
       others). ZPREGEL_INJECT_MASTER_STALL keeps the master's main loop
       idle for 5 s after superstep 2 begins, as a flood of frames or a
       starved CPU would: its HEARTBEATs come from a thread of their own
       and go on, so the job ends as if nothing happened. */
    char dir[4096], job[4200], plain[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *reliability = "reliability:\n  heartbeat_ms: 200\n  liveness: 10\n"
                              "  max_recoveries: 0\n";
    snprintf (plain, sizeof plain, "%s", s_job (dir, "plain", 10, reliability));
    snprintf (job, sizeof job, "%s", s_job (dir, "stalled", 10, reliability));
    setenv ("ZPREGEL_INJECT_MASTER_STALL", "5000", 1);
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    zp_test_run_t r;
    zp_test_run (run, 60, &r);
    unsetenv ("ZPREGEL_INJECT_MASTER_STALL");
    cr_assert (!r.timed_out, "the job hung for 60 s:\n%s", r.err);
    cr_assert_eq (r.status, 0, "exit %d\n%s", r.status, r.err);
    cr_assert (!strstr (r.err, "silent"), "%s", r.err);
    zp_test_run_free (&r);
    s_assert_same_as_plain (dir, "stalled", plain, 0);
}

Test (faults, a_hello_lost_to_a_master_that_is_ending_is_said_again, .timeout = 120)
{
    /* After a recovery a node registers again, and its HELLO may reach the
       old master, which accepts connections until its owner destroys it
       and drops what comes after its end. Here a ROUTER stands where the
       master will be, takes t1's and t2's first HELLOs, and goes; then the
       master starts there. The nodes say HELLO again every second until
       they are assigned, so the job runs (before, they waited for an
       ASSIGN that never came, and the master failed the job at its join
       timeout). */
    char dir[4096], job[4200], o[3][4200], e[3][4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (job, sizeof job, "%s", s_job (dir, "rehello", 10, ""));
    char *yaml = zp_test_read (job, NULL);
    const char *at = yaml ? strstr (yaml, "control: tcp://127.0.0.1:") : NULL;
    cr_assert_not_null (at);
    int port = atoi (at + strlen ("control: tcp://127.0.0.1:"));
    free (yaml);
    zsock_t *ending = zsock_new_router (NULL);
    cr_assert_not_null (ending);
    cr_assert_eq (zsock_bind (ending, "tcp://127.0.0.1:%d", port), port);
    const char *t1[] = {zp_test_bin (), "worker", job, "--name", "t1", NULL};
    const char *t2[] = {zp_test_bin (), "worker", job, "--name", "t2", NULL};
    int p1 = zp_test_start (t1, o[1], e[1]);
    int p2 = zp_test_start (t2, o[2], e[2]);
    zpoller_t *poller = zpoller_new (ending, NULL);
    for (int hellos = 0; hellos < 2;) {
        cr_assert_eq (zpoller_wait (poller, 20000), ending, "no HELLO within 20 s");
        zmsg_t *m = zmsg_recv (ending);
        zmsg_destroy (&m);
        hellos++;
    }
    zpoller_destroy (&poller);
    zsock_destroy (&ending);
    const char *master[] = {
        zp_test_bin (), "master", job, "--set", "master.join_timeout=10s", NULL};
    int pm = zp_test_start (master, o[0], e[0]);
    cr_assert_eq (zp_test_wait (pm, 60), 0, "%s", zp_test_read (e[0], NULL));
    cr_assert_eq (zp_test_wait (p1, 30), 0, "%s", zp_test_read (e[1], NULL));
    cr_assert_eq (zp_test_wait (p2, 30), 0, "%s", zp_test_read (e[2], NULL));
}

Test (faults, a_router_whose_receiver_hangs_ends_with_the_job, .timeout = 90)
{
    /* Batches of 256 bytes through an in-process router on load-balanced
       routes: thousands a superstep. A stopped receiver fills the router's
       queue to it; the router must not block on it (it would hear nothing
       more, not even its owner's $TERM): the job fails within the liveness
       window (2 s: this many frames keep a machine at load 12 busy enough
       to delay a live node's heartbeats), naming the stopped worker, and
       the process ends. */
    char dir[4096], job[4200], out[4200], err[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (job, sizeof job, "%s",
              s_job (dir, "blocked", 100000,
                     "routers:\n  - name: r1\nrouting:\n  mode: load_balanced\n"
                     "engine:\n  batch_bytes: 256\n"
                     "reliability:\n  heartbeat_ms: 100\n  liveness: 20\n  max_recoveries: 0\n"));
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    cr_assert (zp_test_wait_for (err, "superstep 3:", 60), "the job did not start:\n%s",
               zp_test_read (err, NULL));
    int victim = zp_test_find_process (job, "--name t1");
    cr_assert_gt (victim, 0);
    kill (victim, SIGSTOP);
    int status = zp_test_wait (pid, 30);
    kill (victim, SIGKILL);
    char *text = zp_test_read (err, NULL);
    cr_assert_eq (status, 1, "the job did not end within 30 s of a hung receiver:\n%s", text);
    cr_assert (strstr (text, "worker t1 (tcp://127.0.0.1:") && strstr (text, "is silent"), "%s",
               text);
    free (text);
}

/* Whether `text` reports a socket of ours left open at exit ("dangling
   ... created at lib/node/zp_node.c:58"). czmq's own actor pipe (created in
   src/zsys.c) is not ours: czmq's exit handler waits 200 ms for actor
   threads that are ending, and on a machine at load 10 one was seen to
   take longer, about once in a hundred runs (bench/soak.sh master-kill). */
static bool s_our_socket_dangles (const char *text)
{
    for (const char *p = text; (p = strstr (p, "dangling")); p++) {
        const char *end = strchr (p, '\n');
        const char *czmq = strstr (p, "created at src/zsys.c");
        if (!czmq || (end && czmq > end))
            return true;
    }
    return false;
}

Test (faults, the_nodes_of_a_killed_master_end_cleanly, .timeout = 180)
{
    /* The master's process dies (SIGKILL) with checkpoints on, five times,
       at different points: its tcp workers and router (killed in turn by
       their parent-death signal, SIGTERM) must end without an assertion,
       a socket left open or a process left behind. */
    char dir[4096], extra[1024];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (extra, sizeof extra,
              "routers:\n  - name: r1\n  - name: r2\n    transport: tcp\n"
              "    endpoint: tcp://127.0.0.1:%d\n"
              "routing:\n  mode: aggregated\n"
              "reliability:\n  checkpoint_every: 5\n  checkpoint_dir: %s/ckpt\n",
              zp_test_port (), dir);
    for (int round = 0; round < 5; round++) {
        char name[32], job[4200], out[4200], err[4200];
        snprintf (name, sizeof name, "killed%d", round);
        snprintf (job, sizeof job, "%s", s_job (dir, name, 100000, extra));
        const char *run[] = {zp_test_bin (), "run", job, NULL};
        int pid = zp_test_start (run, out, err);
        char step[32];
        snprintf (step, sizeof step, "superstep %d:", 3 + 7 * round);
        cr_assert (zp_test_wait_for (err, step, 60), "the job did not start:\n%s",
                   zp_test_read (err, NULL));
        kill (pid, SIGKILL);
        zp_test_wait (pid, 5);
        char *left = zp_test_processes_left (job, 10);
        cr_assert (!left, "round %d: nodes of the killed master left behind:\n%s\n%s", round, left,
                   left ? zp_test_read (err, NULL) : "");
        char *text = zp_test_read (err, NULL);
        cr_assert (!strstr (text, "Assertion") && !s_our_socket_dangles (text),
                   "round %d: the nodes of the killed master did not end cleanly:\n%s", round,
                   text);
        free (text);
    }
}

Test (faults, without_recoveries_a_killed_router_fails_the_job_at_once, .timeout = 60)
{
    char dir[4096], extra[512];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (extra, sizeof extra,
              "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "routing:\n  mode: aggregated\nreliability:\n  max_recoveries: 0\n",
              zp_test_port ());
    s_killed_fails_at_once (s_job (dir, "router", 100000, extra), "router", "r1");
}

/* Kills node `victim` (a tcp worker or router of the job) with SIGKILL after
   the checkpoint of superstep 40, and checks that the job recovers: it ends
   well, says so, and writes the bytes of the same job run without a fault. */
static void s_kill_and_recover (const char *victim_name, const char *extra_plain,
                                const char *counted)
{
    char dir[4096], job[4200], plain[4200], out[4200], err[4200], extra[1024];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    /* The victim is a child of zpregel run, reaped as it dies: a liveness
       window of 20 s costs the test nothing, and keeps a live node that a
       machine at load 12 starves for seconds from being a second loss. */
    snprintf (extra, sizeof extra,
              "%sreliability:\n  checkpoint_every: 20\n  checkpoint_dir: %s/ckpt\n"
              "  heartbeat_ms: 500\n  liveness: 40\n",
              extra_plain, dir);
    snprintf (job, sizeof job, "%s", s_job (dir, "recover", 300, extra));
    snprintf (plain, sizeof plain, "%s", s_job (dir, "plain", 300, extra_plain));
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    s_kill_mid_job (err, job, victim_name, 45);
    cr_assert_eq (zp_test_wait (pid, 120), 0, "%s", zp_test_read (err, NULL));
    char *text = zp_test_read (err, NULL), *summary = zp_test_read (out, NULL);
    cr_assert (strstr (text, "restarting every node from the last checkpoint"), "%s", text);
    /* The master gave its edges back once it sent the partitions. */
    cr_assert (strstr (text, "debian-deps.properties again: the master gave its edges back"), "%s",
               text);
    cr_assert (strstr (text, "resuming from the checkpoint of superstep"), "%s", text);
    cr_assert (strstr (summary, "recovery  1:"), "%s\n%s", summary, text);
    /* Supersteps computed again are counted once. */
    cr_assert (strstr (summary, counted), "%s", summary);
    free (text);
    free (summary);
    s_assert_same_as_plain (dir, "recover", plain, 0);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "processes of %s left behind:\n%s", job, left);
}

Test (faults, a_killed_worker_is_recovered_from_a_checkpoint_to_the_same_bytes, .timeout = 180)
{
    /* Each worker on 2 threads: one thread count gives one answer, to the
       byte. PageRank sends a message an edge: 300 x 264,191. */
    s_kill_and_recover ("--name t2", "engine:\n  threads: 2\n",
                        "301 supersteps, 79257300 messages");
}

Test (faults, a_killed_worker_of_a_program_reading_neighbours_is_recovered_to_the_same_bytes,
      .timeout = 180)
{
    /* CDLP reads its neighbours' labels in place (ZP_READS_NEIGHBOURS):
       the workers hold mirrors of each other's labels, which the
       checkpoint keeps and the recovery restores; a label read wrong in
       any superstep after it would change the answer. It sends no
       message. */
    s_algorithm = "cdlp";
    s_kill_and_recover ("--name t2", "engine:\n  threads: 2\n", "301 supersteps, 0 messages");
    s_algorithm = "pr";
}

/* The master loads the graph's edges again for a recovery (it gave them
   back once it sent the partitions): when the file has changed since,
   the job fails, naming it, instead of going on with another graph. */
Test (faults, a_graph_changed_before_a_recovery_fails_the_job_by_name, .timeout = 180)
{
    char dir[4096], graph[4200], job[4200], out[4200], err[4200], extra[1024];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *files[] = {"debian-deps.properties", "debian-deps.v", "debian-deps.e"};
    char *text[3];
    for (int i = 0; i < 3; i++) {
        char from[4200];
        snprintf (from, sizeof from, "data/%s", files[i]);
        text[i] = zp_test_read (zp_test_path (from), NULL);
        cr_assert_not_null (text[i], "%s", from);
        zp_test_write (dir, files[i], text[i]);
    }
    snprintf (graph, sizeof graph, "%s/debian-deps.properties", dir);
    snprintf (extra, sizeof extra,
              "reliability:\n  checkpoint_every: 20\n  checkpoint_dir: %s/ckpt\n", dir);
    snprintf (job, sizeof job, "%s", s_job (dir, "changed", 300, extra));
    /* The job's graph is the copy. */
    char *yaml = zp_test_read (job, NULL), *at = strstr (yaml, zp_test_path ("data/"));
    cr_assert_not_null (at);
    char moved[8192];
    snprintf (moved, sizeof moved, "%.*s%s%s", (int) (at - yaml), yaml, graph,
              at + strlen (zp_test_path ("data/debian-deps.properties")));
    zp_test_write (dir, "changed.yaml", moved);
    free (yaml);
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    cr_assert (zp_test_wait_for (err, "superstep 45:", 60), "the job did not start:\n%s",
               zp_test_read (err, NULL));
    /* The last edge, 63436 -> 16808, goes to 16809: as many edges, all valid. */
    char *last = strstr (text[2], "\n63436 16808\n");
    cr_assert_not_null (last);
    memcpy (last + 1, "63436 16809", 11);
    zp_test_write (dir, files[2], text[2]);
    int victim = zp_test_find_process (job, "--name t2");
    cr_assert_gt (victim, 0);
    kill (victim, SIGKILL);
    cr_assert_eq (zp_test_wait (pid, 120), 1, "%s", zp_test_read (err, NULL));
    char *said = zp_test_read (err, NULL);
    char want[4400];
    snprintf (want, sizeof want, "%s: changed while the job ran", graph);
    cr_assert (strstr (said, want), "%s", said);
    free (said);
    for (int i = 0; i < 3; i++)
        free (text[i]);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "processes of %s left behind:\n%s", job, left);
}

Test (faults, a_killed_router_is_recovered_from_a_checkpoint_to_the_same_bytes, .timeout = 180)
{
    /* ZPREGEL_INJECT_LATE_BEGIN: the router started again reads no
       broadcast for 300 ms after its READY, so the workers' batches and
       ENDs of superstep 40 reach it before the BEGIN of superstep 40 does
       (as on a busy machine). It must know from its ROUTE that the job
       resumes at superstep 40: a router that thought it at superstep 0
       dropped them as too far ahead, and the job hung. */
    setenv ("ZPREGEL_INJECT_LATE_BEGIN", "300", 1);
    char extra[512];
    snprintf (extra, sizeof extra,
              "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "routing:\n  mode: aggregated\n",
              zp_test_port ());
    s_kill_and_recover ("--name r1", extra, "301 supersteps, 79257300 messages");
    unsetenv ("ZPREGEL_INJECT_LATE_BEGIN");
}

Test (faults, workers_register_again_with_a_master_restarted_with_resume, .timeout = 180)
{
    /* zpregel master and two zpregel worker processes, as on a cluster. The
       master is killed mid-job; the workers notice and register again; a
       new master started with --resume finds them, and the job ends with
       the answer of a run without the fault. */
    char dir[4096], job[4200], plain[4200], o[4][4200], e[4][4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (plain, sizeof plain, "%s", s_job (dir, "plain", 600, ""));
    int pids[3];
    s_start_cluster (dir, "rejoin", 600, NULL, false, NULL, job, pids, o, e);
    int pm = pids[0], p1 = pids[1], p2 = pids[2];
    const char *resume[] = {zp_test_bin (), "master", job, "--resume", NULL};
    cr_assert (zp_test_wait_for (e[0], "superstep 45:", 60), "the job did not start:\n%s",
               zp_test_read (e[0], NULL));
    kill (pm, SIGKILL);
    zp_test_wait (pm, 5);
    cr_assert (zp_test_wait_for (e[1], "registering again", 30), "%s", zp_test_read (e[1], NULL));
    int pr = zp_test_start (resume, o[3], e[3]);
    cr_assert_eq (zp_test_wait (pr, 120), 0, "%s", zp_test_read (e[3], NULL));
    cr_assert_eq (zp_test_wait (p1, 30), 0, "%s\n--- the master:\n%s", zp_test_read (e[1], NULL),
                  zp_test_read (e[3], NULL));
    cr_assert_eq (zp_test_wait (p2, 30), 0, "%s\n--- the master:\n%s", zp_test_read (e[2], NULL),
                  zp_test_read (e[3], NULL));
    char *text = zp_test_read (e[3], NULL);
    cr_assert (strstr (text, "resuming from the checkpoint of superstep"), "%s", text);
    free (text);
    s_assert_same_as_plain (dir, "rejoin", plain, 0);
}

/* With ZPREGEL_INJECT_FAULTS=3 in the environment of every node of the
   job (s_job + `extra`): workers send every 3rd batch on a tcp link twice
   and hold the next back until its retry; routers hold back every 3rd
   merged batch, to be sent again when the senders' retries come. The
   answer must have the same bytes as without. The summary, in *summary
   (caller frees). */
static void s_inject (const char *dir, const char *extra, char **summary)
{
    char job[4200], plain[4200], out[4200], err[4200], small[1024];
    snprintf (small, sizeof small,
              "engine:\n  batch_bytes: 4KiB\nreliability:\n  ack_timeout_ms: 20\n%s", extra);
    snprintf (job, sizeof job, "%s", s_job (dir, "inject", 30, small));
    snprintf (plain, sizeof plain, "%s", s_job (dir, "plain", 30, small));
    setenv ("ZPREGEL_INJECT_FAULTS", "3", 1);
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    cr_assert_eq (zp_test_wait (pid, 100), 0, "%s", zp_test_read (err, NULL));
    unsetenv ("ZPREGEL_INJECT_FAULTS");
    *summary = zp_test_read (out, NULL);
    s_assert_same_as_plain (dir, "inject", plain, 0);
}

/* Runs the s_inject job of the program s_algorithm and checks that
   batches were held back and duplicated, and that it sent `messages`. */
static void s_inject_and_count (const char *messages)
{
    char dir[4096], *summary;
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_inject (dir, "", &summary);
    unsigned long retries = 0, duplicates = 0;
    const char *line = strstr (summary, "delivery  ");
    cr_assert_not_null (line, "nothing was injected:\n%s", summary);
    cr_assert_eq (sscanf (line, "delivery  %lu batches sent again, %lu duplicates dropped",
                          &retries, &duplicates),
                  2);
    cr_assert_gt (retries, 0, "no batch was held back");
    cr_assert_gt (duplicates, 0, "no duplicate was dropped");
    cr_assert (strstr (summary, messages), "%s", summary);
    free (summary);
}

Test (faults, injected_duplicates_and_reordered_batches_give_the_same_bytes, .timeout = 120)
{
    s_inject_and_count (" messages");
}

Test (faults, injected_duplicates_and_reordered_mirror_batches_give_the_same_bytes, .timeout = 120)
{
    /* CDLP's labels travel as mirror batches (ZP_BATCH_MIRROR), not
       messages: duplicated and held back as batches are, they must be
       written once and in time. */
    s_algorithm = "cdlp";
    s_inject_and_count (", 0 messages");
    s_algorithm = "pr";
}

Test (faults, a_merged_batch_held_back_by_a_router_is_sent_again, .timeout = 120)
{
    /* Aggregated routes through the tcp router r1: its merged batches that
       never arrived are sent again when the senders retry. */
    char dir[4096], extra[512], *summary;
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (extra, sizeof extra,
              "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "routing:\n  mode: aggregated\n",
              zp_test_port ());
    s_inject (dir, extra, &summary);
    unsigned long resent = 0;
    const char *line = strstr (summary, "router r1");
    cr_assert_not_null (line, "%s", summary);
    const char *again = strstr (line, "; ");
    again = again ? strstr (again + 2, "; ") : NULL;
    cr_assert (again && sscanf (again, "; %lu merged batches sent again", &resent) == 1,
               "the router sent nothing again:\n%s", summary);
    cr_assert_gt (resent, 0);
    free (summary);
}

/* zpregel master (with inproc worker w0) and the worker processes t1 and
   t2, as on a cluster, where nothing starts a lost worker again. The
   workers in `victims` are killed with SIGKILL after the first checkpoint.
   Every node restarts from the checkpoint; the victims do not come back
   within the join timeout (10 s: it bounds the first join too, which a
   busy machine can make take seconds), so they leave the job: their partitions and
   their part of the checkpoint move to the survivors, and the answer is
   that of a run without the fault (PageRank, within 1e-9: the sums run in
   another order). */
static void s_kill_and_move (const char *const *victims, int n_victims)
{
    char dir[4096], job[4200], plain[4200], ckpt[4200], o[3][4200], e[3][4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (ckpt, sizeof ckpt, "%s/ckpt", dir);
    snprintf (plain, sizeof plain, "%s", s_job (dir, "plain", 300, ""));
    int pids[3], pm;
    s_start_cluster (dir, "moved", 300, "master.join_timeout=10s", false, NULL, job, pids, o, e);
    pm = pids[0];
    cr_assert (zp_test_wait_for (e[0], "superstep 45:", 60), "the job did not start:\n%s\n%s\n%s",
               zp_test_read (e[0], NULL), zp_test_read (e[1], NULL), zp_test_read (e[2], NULL));
    for (int i = 0; i < n_victims; i++)
        kill (pids[victims[i][1] - '0'], SIGKILL);
    cr_assert_eq (zp_test_wait (pm, 120), 0, "%s", zp_test_read (e[0], NULL));
    for (int w = 1; w <= 2; w++)
        zp_test_wait (pids[w], 30);
    char *text = zp_test_read (e[0], NULL), *summary = zp_test_read (o[0], NULL);
    const char *left = strstr (text, "the job; the partitions of the lost workers move");
    cr_assert (left, "%s", text);
    const char *line = left;
    while (line > text && line[-1] != '\n')
        line--;
    for (int i = 0; i < n_victims; i++) {
        char want[128];
        snprintf (want, sizeof want, "worker %s", victims[i]);
        const char *at = strstr (line, want);
        cr_assert (at && at < left, "%s did not leave: %s", victims[i], text);
    }
    cr_assert (strstr (text, "resuming from the checkpoint of superstep"), "%s", text);
    cr_assert (strstr (summary, "recovery  2:"), "%s", summary);
    char want[128];
    snprintf (want, sizeof want, "left      %d worker(s)", n_victims);
    cr_assert (strstr (summary, want), "%s", summary);
    free (text);
    free (summary);
    /* The checkpoint left behind is of the survivors only. */
    char name[64];
    snprintf (name, sizeof name, ".w%d.", 3 - n_victims);
    cr_assert_not (zp_test_find_file (ckpt, name, NULL, 0),
                   "a file of the old placement is left in %s", ckpt);
    cr_assert (zp_test_find_file (ckpt, ".w0.", NULL, 0), "no checkpoint of the survivors in %s",
               ckpt);
    s_assert_same_as_plain (dir, "moved", plain, 1e-9);
    char *running = zp_test_processes_left (job, 10);
    cr_assert (!running, "processes of %s left behind:\n%s", job, running);
}

Test (faults, a_lost_workers_partitions_move_to_the_survivors, .timeout = 180)
{
    const char *victims[] = {"t2"};
    s_kill_and_move (victims, 1);
}

Test (faults, two_workers_lost_at_once_leave_the_last_one_to_finish, .timeout = 180)
{
    /* A host with two workers goes away: the first is found silent, the
       second does not come back within the join timeout. */
    const char *victims[] = {"t1", "t2"};
    s_kill_and_move (victims, 2);
}

Test (faults, zpregel_launch_starts_a_killed_worker_again_to_the_same_bytes, .timeout = 180)
{
    /* As on a cluster: zpregel master here, zpregel launch on host "far"
       with t1 and t2. t2 is killed; launch starts it again, it joins the
       job restarted from the checkpoint, and as the placement did not
       change, the answer has the bytes of a run without the fault. */
    char dir[4096], job[4200], plain[4200], o[3][4200], e[3][4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (plain, sizeof plain, "%s", s_job (dir, "plain", 300, ""));
    int pids[3];
    s_start_cluster (dir, "relaunch", 300, NULL, true, NULL, job, pids, o, e);
    s_kill_mid_job (e[0], job, "--name t2", 45);
    cr_assert_eq (zp_test_wait (pids[0], 120), 0, "%s", zp_test_read (e[0], NULL));
    cr_assert_eq (zp_test_wait (pids[1], 30), 0, "%s\n--- the master:\n%s",
                  zp_test_read (e[1], NULL), zp_test_read (e[0], NULL));
    char *text = zp_test_read (e[1], NULL), *summary = zp_test_read (o[0], NULL);
    cr_assert (strstr (text, "worker t2 (pid"), "%s", text);
    cr_assert (strstr (text, "starting it again (1 of at most 3)"), "%s", text);
    cr_assert (strstr (summary, "recovery  1:"), "%s\n%s", summary, zp_test_read (e[0], NULL));
    cr_assert_not (strstr (summary, "left "), "%s", summary);
    free (text);
    free (summary);
    s_assert_same_as_plain (dir, "relaunch", plain, 0);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "processes of %s left behind:\n%s", job, left);
}

Test (faults, a_router_that_does_not_come_back_leaves_and_its_routes_go_direct, .timeout = 180)
{
    /* The cluster of s_kill_and_move with a router process r1 on
       aggregated routes. r1 is killed and nothing starts it again: it
       leaves the job, the routes are planned again without it (all direct
       now), and the job ends with the answer of a run without routers. */
    char dir[4096], job[4200], plain[4200], more[512], o[4][4200], e[4][4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (plain, sizeof plain, "%s", s_job (dir, "plain", 300, ""));
    snprintf (more, sizeof more,
              "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "    host: far\nrouting:\n  mode: aggregated\n",
              zp_test_port ());
    int pids[3];
    s_start_cluster (dir, "unrouted", 300, "master.join_timeout=10s", false, more, job, pids, o, e);
    const char *r1[] = {zp_test_bin (), "router", job, "--name", "r1", NULL};
    int pr = zp_test_start (r1, o[3], e[3]);
    s_kill_mid_job (e[0], job, "--name r1", 45);
    cr_assert_eq (zp_test_wait (pids[0], 120), 0, "%s", zp_test_read (e[0], NULL));
    for (int w = 1; w <= 2; w++)
        cr_assert_eq (zp_test_wait (pids[w], 30), 0, "%s\n--- the master:\n%s",
                      zp_test_read (e[w], NULL), zp_test_read (e[0], NULL));
    zp_test_wait (pr, 5);
    char *text = zp_test_read (e[0], NULL), *summary = zp_test_read (o[0], NULL);
    cr_assert (strstr (text, "router r1 leaves the job"), "%s", text);
    cr_assert (strstr (summary, "left      1 router(s)"), "%s", summary);
    cr_assert_not (strstr (summary, "worker(s)"), "%s", summary);
    free (text);
    free (summary);
    s_assert_same_as_plain (dir, "unrouted", plain, 1e-9);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "processes of %s left behind:\n%s", job, left);
}

Test (faults, a_full_link_queue_makes_the_sender_wait_and_loses_nothing, .timeout = 180)
{
    /* Batches of 256 bytes: a link queues at most 1,000 of them (256 KB),
       less than a superstep sends on it (PageRank on R-MAT scale 16, two
       tcp worker processes), so senders wait for room while ACKs keep
       coming. The answer has the bytes of the run with the default
       batches. (Waiting used to lose a batch and free another twice.) */
    char dir[4096], prefix[4200], graph[4300], yaml[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (prefix, sizeof prefix, "%s/rmat", dir);
    const char *gen[] = {zp_test_bin (), "gen", "rmat", "--scale", "16", "-o", prefix, NULL};
    zp_test_run_t r;
    zp_test_run (gen, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    snprintf (graph, sizeof graph, "%s.zpg", prefix);
    char out[2][4300];
    for (int small = 0; small < 2; small++) {
        snprintf (out[small], sizeof out[small], "%s/out-%d.txt", dir, small);
        snprintf (yaml, sizeof yaml,
                  "job:\n  algorithm: pr\n  graph: %s\n  output: %s\n  params:\n"
                  "    iterations: 10\n"
                  "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
                  "workers:\n"
                  "  - name: t1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
                  "  - name: t2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
                  "engine:\n  batch_bytes: %s\nreliability:\n  max_recoveries: 0\n",
                  graph, out[small], zp_test_port (), zp_test_port (), zp_test_port (),
                  zp_test_port (), small ? "256" : "1MiB");
        const char *job = zp_test_write (dir, small ? "small.yaml" : "large.yaml", yaml);
        const char *run[] = {zp_test_bin (), "run", job, "--quiet", NULL};
        zp_test_run (run, 150, &r);
        cr_assert_eq (r.status, 0, "%s", r.err);
        zp_test_run_free (&r);
    }
    char *a = zp_test_read (out[0], NULL), *b = zp_test_read (out[1], NULL);
    cr_assert (a && b && strcmp (a, b) == 0, "small batches changed the answer");
    free (a);
    free (b);
}

Test (faults, a_router_that_loses_a_message_fails_the_job_by_name, .timeout = 120)
{
    /* A router that leaves a batch it took in out of its merge (the test
       hook ZPREGEL_INJECT_LOSS): every frame checks out and every batch is
       ACKed; only the counts from both ends of the aggregated link tell.
       The job must fail, naming the link, the router and the superstep,
       and write no output. */
    char dir[4096], extra[512], out[4200], err[4200], output[4300];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (extra, sizeof extra,
              "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "routing:\n  mode: aggregated\nreliability:\n  max_recoveries: 0\n",
              zp_test_port ());
    const char *job = s_job (dir, "lossy", 30, extra);
    setenv ("ZPREGEL_INJECT_LOSS", "5", 1);
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, out, err);
    int status = zp_test_wait (pid, 100);
    unsetenv ("ZPREGEL_INJECT_LOSS");
    char *text = zp_test_read (err, NULL);
    cr_assert_eq (status, 1, "%s", text);
    cr_assert (strstr (text, "superstep 0: worker") &&
                   strstr (text, "through router r1, which took in"),
               "the loss was not named:\n%s", text);
    free (text);
    snprintf (output, sizeof output, "%s/lossy.out", dir);
    cr_assert_neq (access (output, F_OK), 0, "a job that lost a message wrote output");
}

/*  Jobs as a cluster runs them: endpoints by host name with ports chosen at
    run time, two jobs side by side on one host, a real Slurm (slurmctld and
    slurmd started by the test), and zpregel launch saying how a job ended. */
#include "zp_test.h"

#include <stdlib.h>
#include <unistd.h>

/* The answer of `algorithm` with every worker in one process: dir/ALGO-local.out. */
static const char *s_local (const char *dir, const char *algorithm)
{
    char yaml[2048], name[64], set[4300];
    static char out[4300];
    snprintf (out, sizeof out, "%s/%s-local.out", dir, algorithm);
    snprintf (set, sizeof set, "job.output=%s", out);
    snprintf (yaml, sizeof yaml, "job:\n  algorithm: %s\n  graph: %s\nworkers:\n  - name: w\n",
              algorithm, zp_test_path ("data/debian-deps.properties"));
    snprintf (name, sizeof name, "%s-local.yaml", algorithm);
    const char *run[] = {zp_test_bin (), "run", zp_test_write (dir, name, yaml), "--set", set,
                         "--quiet",      NULL};
    zp_test_run_t r;
    zp_test_run (run, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    return out;
}

static void s_assert_same_file (const char *a, const char *b)
{
    cr_assert (zp_test_same_file (a, b), "%s and %s differ", a, b);
}

/* WCC on the Debian graph with an inproc worker, two tcp workers and a tcp
   router on aggregated routes, every endpoint `tcp://localhost` with no
   port, and `extra` appended. */
static const char *s_named_job (const char *dir, const char *name, const char *extra)
{
    char yaml[4096], file[300];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: wcc\n  graph: %s\n  output: %s/%s.out\n"
              "master:\n  control: tcp://localhost\n  broadcast: tcp://localhost\n"
              "workers:\n  - name: w0\n"
              "  - name: t1\n    transport: tcp\n    endpoint: tcp://localhost\n"
              "  - name: t2\n    transport: tcp\n    endpoint: tcp://localhost\n"
              "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://localhost\n"
              "routing:\n  mode: aggregated\n%s",
              zp_test_path ("data/debian-deps.properties"), dir, name, extra);
    snprintf (file, sizeof file, "%s.yaml", name);
    static char path[2][4200];
    static int at;
    char *p = path[at++ % 2];
    snprintf (p, sizeof path[0], "%s", zp_test_write (dir, file, yaml));
    return p;
}

Test (clusters, two_jobs_with_host_names_and_no_ports_run_side_by_side, .timeout = 180)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *local = s_local (dir, "wcc");
    char ja[4200], jb[4200], o[2][4200], e[2][4200];
    snprintf (ja, sizeof ja, "%s", s_named_job (dir, "a", ""));
    snprintf (jb, sizeof jb, "%s", s_named_job (dir, "b", ""));
    const char *run_a[] = {zp_test_bin (), "run", ja, NULL};
    const char *run_b[] = {zp_test_bin (), "run", jb, NULL};
    int pa = zp_test_start (run_a, o[0], e[0]);
    int pb = zp_test_start (run_b, o[1], e[1]);
    cr_assert_eq (zp_test_wait (pa, 120), 0, "%s", zp_test_read (e[0], NULL));
    cr_assert_eq (zp_test_wait (pb, 120), 0, "%s", zp_test_read (e[1], NULL));
    for (int i = 0; i < 2; i++) {
        char *text = zp_test_read (e[i], NULL);
        /* Where to watch it: the ports the master was given at run time. */
        cr_assert (strstr (text, "the master listens on tcp://127.0.0.1:"), "%s", text);
        cr_assert_not (strstr (text, "dropped"), "the jobs crossed:\n%s", text);
        free (text);
    }
    char out[4300];
    snprintf (out, sizeof out, "%s/a.out", dir);
    s_assert_same_file (out, local);
    snprintf (out, sizeof out, "%s/b.out", dir);
    s_assert_same_file (out, local);
}

/* Runs `zpregel run JOB` (with `set` as --set, unless NULL): exit 1 and `want` on stderr. */
static void s_run_fails (const char *job, const char *set, const char *want)
{
    const char *with[] = {zp_test_bin (), "run", job, "--set", set, NULL};
    const char *without[] = {zp_test_bin (), "run", job, NULL};
    zp_test_run_t r;
    zp_test_run (set ? with : without, 30, &r);
    cr_assert_eq (r.status, 1, "%s: exit %d\n%s", set ? set : job, r.status, r.err);
    cr_assert (strstr (r.err, want), "%s: expected \"%s\" in:\n%s", set ? set : job, want, r.err);
    zp_test_run_free (&r);
}

Test (clusters, endpoints_that_cannot_work_are_named_where_they_are_written, .timeout = 60)
{
    char dir[4096], want[4400];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    /* In the file: its line. */
    const char *file = zp_test_write (
        dir, "port.yaml",
        "job:\n  algorithm: wcc\n  graph: g.properties\n"
        "master:\n  control: tcp://localhost\n  broadcast: tcp://localhost\n"
        "workers:\n  - name: t1\n    transport: tcp\n    endpoint: tcp://localhost:99999\n");
    snprintf (want, sizeof want,
              "%s:10: workers[0].endpoint: expected tcp://HOST:PORT (HOST a name or an address, "
              "PORT from 1 to 65535, or * or no port for one chosen at run time), got "
              "\"tcp://localhost:99999\" (port \"99999\")",
              file);
    s_run_fails (file, NULL, want);
    /* The same fixed address twice, named with where the first is. */
    const char *dup = zp_test_write (
        dir, "dup.yaml",
        "job:\n  algorithm: wcc\n  graph: g.properties\n"
        "master:\n  control: tcp://localhost:5555\n  broadcast: tcp://localhost:5555\n"
        "workers:\n  - name: t1\n    transport: tcp\n    endpoint: tcp://localhost\n");
    snprintf (want, sizeof want,
              "%s:6: master.broadcast: tcp://localhost:5555 is already master.control (%s:5)", dup,
              dup);
    s_run_fails (dup, NULL, want);
    /* From --set: the --set named. */
    const char *job = s_named_job (dir, "bad", "");
    s_run_fails (job, "workers[1].endpoint=tcp://:5601",
                 "--set workers[1].endpoint=tcp://:5601: workers[1].endpoint: expected");
    s_run_fails (job, "workers[1].endpoint=tcp://local host", "is not a host name or address");
    s_run_fails (job, "master.broadcast=tcp://localhost:abc", "(port \"abc\")");
    s_run_fails (job, "master.control=tcp://*:5555",
                 "master.control: nodes connect to it, so it needs the master's host name or "
                 "address, not *");
    s_run_fails (job, "workers[1].endpoint=tcp://*",
                 "workers[1].endpoint: binds every interface (*), so peers need to be told "
                 "where to reach it: add workers[1].advertise");
    /* A name nobody resolves: the bind says which and why. */
    s_run_fails (job, "workers[1].endpoint=tcp://no-such-host.invalid",
                 "cannot resolve host \"no-such-host.invalid\"");
    /* A node started on its own cannot find a master whose ports are left open. */
    const char *node[] = {zp_test_bin (), "worker", job, "--name", "t1", NULL};
    zp_test_run_t r;
    zp_test_run (node, 30, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "a node started on its own cannot find the master"), "%s", r.err);
    zp_test_run_free (&r);
}

Test (clusters, launch_says_why_the_job_failed_and_exits_with_its_status, .timeout = 120)
{
    /* The cluster flow: zpregel master, and zpregel launch on each host.
       Host b never starts its node: the master gives up after its join
       timeout, and the launch on host a says so, naming the node, and
       exits 1. */
    char dir[4096], yaml[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: wcc\n  graph: %s\n"
              "master:\n  control: tcp://localhost:%d\n  broadcast: tcp://localhost:%d\n"
              "  join_timeout: 2s\n"
              "workers:\n"
              "  - name: a1\n    transport: tcp\n    endpoint: tcp://localhost\n    host: hosta\n"
              "  - name: b1\n    transport: tcp\n    endpoint: tcp://localhost\n    host: hostb\n"
              "reliability:\n  max_recoveries: 0\n",
              zp_test_path ("data/debian-deps.properties"), zp_test_port (), zp_test_port ());
    const char *job = zp_test_write (dir, "late.yaml", yaml);
    char o[2][4200], e[2][4200];
    const char *master[] = {zp_test_bin (), "master", job, NULL};
    const char *launch[] = {zp_test_bin (), "launch", job, "--host", "hosta", NULL};
    int pm = zp_test_start (master, o[0], e[0]);
    int pl = zp_test_start (launch, o[1], e[1]);
    cr_assert_eq (zp_test_wait (pm, 60), 1, "%s", zp_test_read (e[0], NULL));
    cr_assert_eq (zp_test_wait (pl, 60), 1, "%s", zp_test_read (e[1], NULL));
    char *text = zp_test_read (e[1], NULL);
    cr_assert (strstr (text, "worker a1: the job failed: worker(s) did not join within 2.0s: b1"),
               "%s", text);
    cr_assert (strstr (text, "zpregel launch: hosta: the job failed; worker a1 (exit 1)"), "%s",
               text);
    free (text);
}

/* --- Slurm ------------------------------------------------------------------- */

static char s_slurm_dir[4200];

static void s_slurm_down (void)
{
    if (!s_slurm_dir[0])
        return;
    const char *argv[] = {"/bin/bash", zp_test_path ("tests/slurm.sh"), "down", s_slurm_dir, NULL};
    zp_test_run_t r;
    zp_test_run (argv, 30, &r);
    zp_test_run_free (&r);
}

Test (clusters, a_job_runs_across_a_slurm_allocation_with_srun, .fini = s_slurm_down,
      .timeout = 240)
{
    if (access ("/usr/sbin/slurmctld", X_OK) != 0 || access ("/usr/sbin/slurmd", X_OK) != 0 ||
        access ("/usr/bin/srun", X_OK) != 0)
        cr_skip_test ("needs Slurm (Debian's slurm-wlm: slurmctld, slurmd, srun); "
                      "scripts/deps.sh slurm installs it");
    if (geteuid () != 0)
        cr_skip_test ("needs root to start slurmd");
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (s_slurm_dir, sizeof s_slurm_dir, "%s/slurm", dir);
    char port[16], dport[16], resv[16];
    snprintf (port, sizeof port, "%d", zp_test_port ());
    snprintf (dport, sizeof dport, "%d", zp_test_port ());
    /* Two ports in a row for the master (the step's reserved ports). */
    int lo = zp_test_port (), hi = zp_test_port ();
    for (int tries = 0; hi != lo + 1 && tries < 100; tries++) {
        lo = hi;
        hi = zp_test_port ();
    }
    cr_assert_eq (hi, lo + 1, "no two free ports in a row");
    snprintf (resv, sizeof resv, "%d", lo);
    const char *up[] = {
        "/bin/bash", zp_test_path ("tests/slurm.sh"), "up", s_slurm_dir, port, dport, resv, NULL};
    zp_test_run_t r;
    zp_test_run (up, 60, &r);
    cr_assert_eq (r.status, 0, "cannot start Slurm: %s%s", r.out, r.err);
    zp_test_run_free (&r);
    char conf[4300];
    snprintf (conf, sizeof conf, "%s/slurm.conf", s_slurm_dir);
    setenv ("SLURM_CONF", conf, 1);
    const char *local = s_local (dir, "wcc");
    /* The job as a Slurm user writes it: no hosts, no ports. */
    const char *job = s_named_job (dir, "slurm", "");
    const char *srun[] = {"/usr/bin/srun",
                          "--ntasks=3",
                          "--resv-ports=2",
                          "--overcommit",
                          "--kill-on-bad-exit=0",
                          zp_test_bin (),
                          "launch",
                          job,
                          NULL};
    zp_test_run (srun, 180, &r);
    unsetenv ("SLURM_CONF");
    cr_assert_eq (r.status, 0, "srun: exit %d\n%s%s", r.status, r.out, r.err);
    for (int task = 0; task < 3; task++) {
        char want[128];
        snprintf (want, sizeof want, "zpregel launch: task %d of 3 on ", task);
        const char *at = strstr (r.err, want);
        cr_assert (at && strstr (at, ": the job finished"), "task %d said nothing:\n%s", task,
                   r.err);
    }
    /* The master took the ports Slurm reserved for the step. */
    char listens[128];
    snprintf (listens, sizeof listens, ":%d and tcp://", lo);
    cr_assert (strstr (r.err, listens) && strstr (r.err, "(ports Slurm reserved for the step)"),
               "%s", r.err);
    /* Task 0 ran the master (and w0 in it), the tcp nodes were dealt out. */
    cr_assert (strstr (r.err, "task 0 of 3 on") && strstr (r.err, "master (exit 0)"), "%s", r.err);
    zp_test_run_free (&r);
    char out[4300];
    snprintf (out, sizeof out, "%s/slurm.out", dir);
    s_assert_same_file (out, local);
}

/* `zpregel run JOB --quiet` with t1 bound on every interface and
   advertised at `advertise`, `extra` more --set values (NULL-terminated). */
static void s_run_advertised (const char *job, const char *advertise, const char *const *extra,
                              zp_test_run_t *r)
{
    char set[300];
    snprintf (set, sizeof set, "workers[1].advertise=%s", advertise);
    const char *argv[32] = {zp_test_bin (), "run",   job,
                            "--quiet",      "--set", "workers[1].endpoint=tcp://*",
                            "--set",        set};
    size_t n = 8;
    for (size_t i = 0; extra && extra[i] && n + 3 < 32; i++) {
        argv[n++] = "--set";
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    zp_test_run (argv, 90, r);
}

Test (clusters, a_node_bound_on_every_interface_is_reached_where_it_advertises, .timeout = 120)
{
    /* t1 binds every interface and says where it is reached: its peers
       (an inproc worker, t2, the router) connect there. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *local = s_local (dir, "wcc");
    const char *job = s_named_job (dir, "advertised", "");
    zp_test_run_t r;
    s_run_advertised (job, "tcp://localhost", NULL, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    char out[4300];
    snprintf (out, sizeof out, "%s/advertised.out", dir);
    s_assert_same_file (out, local);
    /* Advertised where nobody listens: the peers go there, and the job
       fails instead of finding t1 where it bound. */
    const char *quick[] = {"reliability.ack_timeout_ms=50", "reliability.max_retries=2",
                           "reliability.max_recoveries=0", NULL};
    s_run_advertised (job, "tcp://localhost:1", quick, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "did not acknowledge"), "%s", r.err);
    zp_test_run_free (&r);
}

Test (clusters, a_slurm_step_with_a_huge_job_id_chooses_a_valid_port, .timeout = 120)
{
    /* The environment of task 0 of a one-task step, as srun sets it, with
       job and step ids past 2^63: the master's ports come from the ids,
       and must be ports (the sum overflowed to a negative one). */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *out = s_local (dir, "wcc");
    char yaml[2048], set[4300];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: wcc\n  graph: %s\n"
              "master:\n  control: tcp://localhost\n  broadcast: tcp://localhost\n"
              "workers:\n  - name: w\n",
              zp_test_path ("data/debian-deps.properties"));
    snprintf (set, sizeof set, "job.output=%s/slurm.out", dir);
    setenv ("SLURM_PROCID", "0", 1);
    setenv ("SLURM_NTASKS", "1", 1);
    setenv ("SLURM_STEP_NODELIST", "localhost", 1);
    const char *run[] = {zp_test_bin (), "launch", zp_test_write (dir, "slurm.yaml", yaml),
                         "--set",        set,      NULL};
    zp_test_run_t r = {0};
    /* Ids past 2^63 (a signed long saturates there), different each try:
       the port they give may be another job's (another test run's) at the
       moment, and a real allocation would have other ids. */
    srandom ((unsigned) getpid ());
    for (int attempt = 0; attempt < 3; attempt++) {
        char job_id[32], step_id[32];
        snprintf (job_id, sizeof job_id, "184467440737095%05d", (int) (random () % 50000));
        snprintf (step_id, sizeof step_id, "92233720368547%05d", (int) (random () % 50000));
        setenv ("SLURM_JOB_ID", job_id, 1);
        setenv ("SLURM_STEP_ID", step_id, 1);
        if (attempt)
            zp_test_run_free (&r);
        zp_test_run (run, 60, &r);
        if (r.status == 0 || !strstr (r.err, "Address already in use"))
            break;
    }
    unsetenv ("SLURM_PROCID");
    unsetenv ("SLURM_NTASKS");
    unsetenv ("SLURM_STEP_NODELIST");
    unsetenv ("SLURM_JOB_ID");
    unsetenv ("SLURM_STEP_ID");
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    char got[4300];
    snprintf (got, sizeof got, "%s/slurm.out", dir);
    s_assert_same_file (out, got);
}

/*  Jobs across processes: tcp workers, mixed inproc and tcp, a worker that
    never joins, watchers that start before and after the job, and (as root)
    workers on other hosts simulated with network namespaces. */
#include "zp_test.h"

#include <dirent.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A job file with `inproc` in-process workers and `tcp` worker processes. */
static const char *s_job (const char *dir, const char *name, const char *algo, const char *graph,
                          int inproc, int tcp, const char *extra)
{
    char yaml[8192];
    int at = snprintf (yaml, sizeof yaml,
                       "job:\n  algorithm: %s\n  graph: %s\n  output: %s/%s.out\n%s"
                       "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
                       "  join_timeout: 20s\nworkers:\n",
                       algo, graph, dir, name, extra, zp_test_port (), zp_test_port ());
    for (int w = 0; w < inproc; w++)
        at += snprintf (yaml + at, sizeof yaml - (size_t) at, "  - name: i%d\n", w);
    for (int w = 0; w < tcp; w++)
        at += snprintf (yaml + at, sizeof yaml - (size_t) at,
                        "  - name: t%d\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n", w,
                        zp_test_port ());
    char file[300];
    snprintf (file, sizeof file, "%s.yaml", name);
    static char path[8][4200];
    static int k;
    char *p = path[k++ % 8];
    snprintf (p, 4200, "%s", zp_test_write (dir, file, yaml));
    return p;
}

static void s_run_ok (const char *job)
{
    const char *argv[] = {zp_test_bin (), "run", job, "--quiet", NULL};
    zp_test_run_t r;
    zp_test_run (argv, 120, &r);
    cr_assert_eq (r.status, 0, "%s: exit %d\n%s", job, r.status, r.err);
    zp_test_run_free (&r);
}

Test (distributed, every_algorithm_is_the_same_inproc_tcp_and_mixed, .timeout = 300)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph = zp_test_weighted_debian (dir);
    const char *algos[] = {"bfs", "wcc", "cdlp", "lcc", "sssp", "pr"};
    for (int i = 0; i < 6; i++) {
        char local[64], tcp[64], mixed[64];
        snprintf (local, sizeof local, "%s-local", algos[i]);
        snprintf (tcp, sizeof tcp, "%s-tcp", algos[i]);
        snprintf (mixed, sizeof mixed, "%s-mixed", algos[i]);
        s_run_ok (s_job (dir, local, algos[i], graph, 2, 0, ""));
        s_run_ok (s_job (dir, tcp, algos[i], graph, 0, 3, ""));
        s_run_ok (s_job (dir, mixed, algos[i], graph, 2, 2, ""));
        char a[4300], b[4300], c[4300];
        snprintf (a, sizeof a, "%s/%s.out", dir, local);
        snprintf (b, sizeof b, "%s/%s.out", dir, tcp);
        snprintf (c, sizeof c, "%s/%s.out", dir, mixed);
        if (strcmp (algos[i], "pr") == 0) {
            double r1 = zp_test_max_relative (a, b), r2 = zp_test_max_relative (a, c);
            cr_assert (r1 >= 0 && r1 < 1e-9 && r2 >= 0 && r2 < 1e-9, "pr differs: %g, %g", r1, r2);
        } else {
            char *ta = zp_test_read (a, NULL), *tb = zp_test_read (b, NULL),
                 *tc = zp_test_read (c, NULL);
            cr_assert_not_null (ta);
            cr_assert (tb && strcmp (ta, tb) == 0, "%s: all-tcp output differs from inproc",
                       algos[i]);
            cr_assert (tc && strcmp (ta, tc) == 0, "%s: mixed output differs from inproc",
                       algos[i]);
            free (ta);
            free (tb);
            free (tc);
        }
    }
}

Test (distributed, compressed_links_give_the_same_answer)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph = zp_test_path ("data/debian-deps.properties");
    s_run_ok (s_job (dir, "plain", "wcc", graph, 0, 2, ""));
    s_run_ok (s_job (dir, "zstd", "wcc", graph, 0, 2,
                     "compression:\n  mode: on\n  min_bytes: 0\n  level: 3\n"));
    char a[4300], b[4300];
    snprintf (a, sizeof a, "%s/plain.out", dir);
    snprintf (b, sizeof b, "%s/zstd.out", dir);
    char *ta = zp_test_read (a, NULL), *tb = zp_test_read (b, NULL);
    cr_assert (ta && tb && strcmp (ta, tb) == 0);
    free (ta);
    free (tb);
}

Test (distributed, a_worker_that_never_joins_fails_the_job_cleanly)
{
    /* The join timeout is 5 s: with 1 s, the local tcp worker (a process
       this job starts) was once named too, on a host at load 22. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    int ghost = zp_test_port ();
    char yaml[4096];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
              "  join_timeout: 5s\n"
              "workers:\n  - name: here\n  - name: local\n    transport: tcp\n"
              "    endpoint: tcp://127.0.0.1:%d\n"
              "  - name: ghost\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "    host: elsewhere\n",
              zp_test_path ("data/debian-deps.properties"), zp_test_port (), zp_test_port (),
              zp_test_port (), ghost);
    const char *job = zp_test_write (dir, "ghost.yaml", yaml);
    const char *argv[] = {zp_test_bin (), "run", job, NULL};
    zp_test_run_t r;
    zp_test_run (argv, 30, &r);
    cr_assert_eq (r.status, 1, "exit %d\n%s", r.status, r.err);
    char want[4400];
    snprintf (
        want, sizeof want,
        "zpregel: worker(s) did not join within 5.0s: ghost (tcp://127.0.0.1:%d on elsewhere: "
        "start it with 'zpregel launch %s --host elsewhere')",
        ghost, job);
    cr_assert (strstr (r.err, want), "%s", r.err);
    /* The local worker process was stopped: nothing of this job is left running. */
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "orphan worker processes of %s:\n%s", job, left);
    zp_test_run_free (&r);
}

/* Checks a watcher's output: begin for supersteps 0..last in order, then terminate. */
static void s_check_watch (const char *path, int last)
{
    char *text = zp_test_read (path, NULL);
    cr_assert_not_null (text);
    int expect = 0;
    bool terminated = false;
    for (char *save = NULL, *line = strtok_r (text, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        int step;
        const char *begin = strstr (line, "begin      superstep ");
        if (begin && sscanf (begin + 21, "%d", &step) == 1) {
            cr_assert_eq (step, expect, "superstep %d where %d was due:\n%s", step, expect, line);
            expect++;
        } else if (strstr (line, "terminate  finished after superstep")) {
            terminated = true;
            cr_assert_eq (expect, last + 1, "terminated after %d supersteps", expect);
        }
    }
    cr_assert (terminated, "no TERMINATE seen");
    free (text);
}

Test (distributed, watchers_started_before_and_during_a_job_see_every_superstep, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    /* 1500 supersteps of PageRank keep the job busy for a few seconds. */
    const char *job = s_job (dir, "long", "pr", zp_test_path ("data/debian-deps.properties"), 1, 1,
                             "  params:\n    iterations: 1500\n");
    char early_out[4200], early_err[4200], job_out[4200], job_err[4200], late_out[4200],
        late_err[4200];
    const char *watch[] = {zp_test_bin (), "watch", job, "--timeout", "60", NULL};
    int early = zp_test_start (watch, early_out, early_err);
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, job_out, job_err);
    cr_assert (zp_test_wait_for (job_err, "superstep 20:", 60), "the job did not start:\n%s",
               zp_test_read (job_err, NULL));
    int late = zp_test_start (watch, late_out, late_err);
    cr_assert_eq (zp_test_wait (pid, 120), 0, "job failed");
    cr_assert_eq (zp_test_wait (early, 30), 0, "early watcher: %s", zp_test_read (early_err, NULL));
    cr_assert_eq (zp_test_wait (late, 30), 0, "late watcher: %s", zp_test_read (late_err, NULL));
    s_check_watch (early_out, 1500);
    s_check_watch (late_out, 1500);
}

Test (distributed, watchers_see_route_plans_and_checkpoints, .timeout = 120)
{
    /* A watcher started mid-job asks for what it missed (REPLAY), so it
       sees the first plan too. 1500 supersteps keep the job running. */
    char dir[4096], extra[1024];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (extra, sizeof extra,
              "  params:\n    iterations: 1500\nrouters:\n  - name: r0\n"
              "routing:\n  mode: aggregated\n"
              "reliability:\n  checkpoint_every: 500\n  checkpoint_dir: %s/ckpt\n",
              dir);
    const char *job =
        s_job (dir, "watched", "pr", zp_test_path ("data/debian-deps.properties"), 1, 1, extra);
    char job_out[4200], job_err[4200], watch_out[4200], watch_err[4200];
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, job_out, job_err);
    cr_assert (zp_test_wait_for (job_err, "superstep 20:", 60), "the job did not start:\n%s",
               zp_test_read (job_err, NULL));
    const char *watch[] = {zp_test_bin (), "watch", job, "--timeout", "60", NULL};
    int watcher = zp_test_start (watch, watch_out, watch_err);
    cr_assert_eq (zp_test_wait (pid, 120), 0, "%s", zp_test_read (job_err, NULL));
    cr_assert_eq (zp_test_wait (watcher, 30), 0, "%s", zp_test_read (watch_err, NULL));
    char *text = zp_test_read (watch_out, NULL);
    cr_assert (strstr (text, "plan       version 1\n"), "%s", text);
    cr_assert (strstr (text, "checkpoint of superstep 500 complete\n"), "%s", text);
    cr_assert (strstr (text, "checkpoint of superstep 1500 complete\n"), "%s", text);
    cr_assert (strstr (text, "terminate  finished after superstep 1500"), "%s", text);
    free (text);
}

Test (distributed, node_commands_reject_bad_arguments)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *job =
        s_job (dir, "cmd", "pr", zp_test_path ("data/debian-deps.properties"), 1, 1, "");
    zp_test_run_t r;
    const char *worker[] = {zp_test_bin (), "worker", job, "--name", "i0", NULL};
    zp_test_run (worker, 10, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "no tcp worker named \"i0\" in workers"), "%s", r.err);
    zp_test_run_free (&r);
    const char *launch[] = {zp_test_bin (), "launch", job, "--host", "nohost", NULL};
    zp_test_run (launch, 10, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "no tcp worker or router has host: nohost"), "%s", r.err);
    zp_test_run_free (&r);
    const char *noname[] = {zp_test_bin (), "worker", job, NULL};
    zp_test_run (noname, 10, &r);
    cr_assert_eq (r.status, 2);
    zp_test_run_free (&r);
    const char *watch[] = {zp_test_bin (), "watch", zp_test_path ("configs/local.yaml"), NULL};
    zp_test_run (watch, 10, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "the master binds no tcp broadcast endpoint: 'zpregel run' prints "
                              "where to watch it"),
               "%s", r.err);
    zp_test_run_free (&r);
    const char *timeout[] = {zp_test_bin (), "watch", "tcp://127.0.0.1:9",
                             "--timeout",    "0.3",   NULL};
    zp_test_run (timeout, 10, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "no event for 0.3s"), "%s", r.err);
    zp_test_run_free (&r);
    /* A worker whose master never comes gives up after join_timeout. */
    const char *lonely[] = {
        zp_test_bin (), "worker", job, "--name", "t0", "--set", "master.join_timeout=500ms", NULL};
    zp_test_run (lonely, 20, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "no ASSIGN from the master"), "%s", r.err);
    zp_test_run_free (&r);
}

/* --- several hosts, as network namespaces ------------------------------------ */

static char s_prefix[32];

static bool s_can_make_hosts (void)
{
    return geteuid () == 0 && access ("/usr/sbin/ip", X_OK) == 0;
}

static void s_hosts_down (void)
{
    if (!s_prefix[0])
        return;
    const char *argv[] = {"/bin/bash", zp_test_path ("tests/netns.sh"), "down", s_prefix, NULL};
    zp_test_run_t r;
    zp_test_run (argv, 30, &r);
    zp_test_run_free (&r);
}

/* Creates the three test hosts (or skips the test without root); their
   network is 10.213.NET.0/24, NET written to `net`. */
static void s_hosts_up (char net[8])
{
    if (!s_can_make_hosts ())
        cr_skip_test ("needs root and iproute2 (ip netns) to create the test hosts");
    snprintf (s_prefix, sizeof s_prefix, "zp%d", (int) getpid ());
    snprintf (net, 8, "%d", (int) (getpid () % 250) + 1);
    const char *up[] = {"/bin/bash", zp_test_path ("tests/netns.sh"), "up", s_prefix, net, NULL};
    zp_test_run_t r;
    zp_test_run (up, 60, &r);
    cr_assert_eq (r.status, 0, "cannot create the test hosts: %s", r.err);
    zp_test_run_free (&r);
}

Test (distributed, workers_on_two_named_hosts_and_the_master_on_a_third, .fini = s_hosts_down,
      .timeout = 300)
{
    char net[8];
    s_hosts_up (net);
    zp_test_run_t r;

    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *algos[] = {"wcc", "pr"};
    for (int i = 0; i < 2; i++) {
        char yaml[4096], name[64];
        /* Hosts by name (each resolves them in its own hosts file), the
           workers' ports chosen at run time. */
        snprintf (yaml, sizeof yaml,
                  "job:\n  algorithm: %s\n  graph: %s\n  output: %s/%s-hosts.out\n"
                  "master:\n  control: tcp://hostm:5555\n  broadcast: tcp://hostm:5556\n"
                  "  host: hostm\n  join_timeout: 30s\n"
                  "workers:\n"
                  "  - name: m1\n"
                  "  - name: a1\n    transport: tcp\n    endpoint: tcp://hosta\n    host: hosta\n"
                  "  - name: a2\n    transport: tcp\n    endpoint: tcp://hosta\n    host: hosta\n"
                  "  - name: b1\n    transport: tcp\n    endpoint: tcp://hostb\n    host: hostb\n",
                  algos[i], zp_test_path ("data/debian-deps.properties"), dir, algos[i]);
        snprintf (name, sizeof name, "%s-hosts.yaml", algos[i]);
        char job[4200];
        snprintf (job, sizeof job, "%s", zp_test_write (dir, name, yaml));
        char ns_a[40], ns_b[40], ns_m[40];
        snprintf (ns_a, sizeof ns_a, "%sa", s_prefix);
        snprintf (ns_b, sizeof ns_b, "%sb", s_prefix);
        snprintf (ns_m, sizeof ns_m, "%sm", s_prefix);
        const char *launch_a[] = {"/usr/sbin/ip", "netns", "exec",   ns_a,    zp_test_bin (),
                                  "launch",       job,     "--host", "hosta", NULL};
        const char *launch_b[] = {"/usr/sbin/ip", "netns", "exec",   ns_b,    zp_test_bin (),
                                  "launch",       job,     "--host", "hostb", NULL};
        char oa[4200], ea[4200], ob[4200], eb[4200];
        int pa = zp_test_start (launch_a, oa, ea);
        int pb = zp_test_start (launch_b, ob, eb);
        const char *master[] = {"/usr/sbin/ip", "netns", "exec",    ns_m, zp_test_bin (),
                                "master",       job,     "--quiet", NULL};
        zp_test_run (master, 120, &r);
        cr_assert_eq (r.status, 0, "%s master: %s", algos[i], r.err);
        zp_test_run_free (&r);
        cr_assert_eq (zp_test_wait (pa, 30), 0, "host a: %s", zp_test_read (ea, NULL));
        cr_assert_eq (zp_test_wait (pb, 30), 0, "host b: %s", zp_test_read (eb, NULL));

        /* The same job with every worker in one process. */
        char local[4200], set[4300];
        snprintf (local, sizeof local, "%s/%s-local.out", dir, algos[i]);
        snprintf (set, sizeof set, "job.output=%s", local);
        snprintf (yaml, sizeof yaml, "job:\n  algorithm: %s\n  graph: %s\nworkers:\n  - name: w\n",
                  algos[i], zp_test_path ("data/debian-deps.properties"));
        snprintf (name, sizeof name, "%s-local.yaml", algos[i]);
        const char *run[] = {zp_test_bin (), "run", zp_test_write (dir, name, yaml), "--set", set,
                             "--quiet",      NULL};
        zp_test_run (run, 60, &r);
        cr_assert_eq (r.status, 0, "%s", r.err);
        zp_test_run_free (&r);
        char hosts[4200];
        snprintf (hosts, sizeof hosts, "%s/%s-hosts.out", dir, algos[i]);
        if (i == 0) {
            char *a = zp_test_read (hosts, NULL), *b = zp_test_read (local, NULL);
            cr_assert (a && b && strcmp (a, b) == 0, "wcc across hosts differs from one process");
            free (a);
            free (b);
        } else {
            double rel = zp_test_max_relative (hosts, local);
            cr_assert (rel >= 0 && rel < 1e-9, "pr across hosts differs by %g", rel);
        }
    }
}

Test (distributed, a_worker_whose_endpoint_is_taken_fails_the_job_at_once)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    int taken = zp_test_port ();
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons ((uint16_t) taken),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
    cr_assert (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0 && listen (fd, 1) == 0);
    char yaml[4096];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
              "workers:\n  - name: here\n  - name: blocked\n    transport: tcp\n"
              "    endpoint: tcp://127.0.0.1:%d\n",
              zp_test_path ("data/debian-deps.properties"), zp_test_port (), zp_test_port (),
              taken);
    const char *job = zp_test_write (dir, "taken.yaml", yaml);
    const char *argv[] = {zp_test_bin (), "run", job, NULL};
    zp_test_run_t r;
    zp_test_run (argv, 30, &r);
    close (fd);
    cr_assert_eq (r.status, 1, "exit %d\n%s", r.status, r.err);
    char want[256];
    snprintf (want, sizeof want,
              "worker blocked: cannot bind its data socket to tcp://127.0.0.1:%d", taken);
    cr_assert (strstr (r.err, want), "%s", r.err);
    cr_assert (strstr (r.err, "exited with status 1 before the job ended"), "%s", r.err);
    char *left = zp_test_processes_left (job, 10);
    cr_assert (!left, "orphan processes of %s:\n%s", job, left);
    zp_test_run_free (&r);
}

Test (distributed, a_link_cut_for_two_seconds_is_survived_with_the_same_answer,
      .fini = s_hosts_down, .timeout = 300)
{
    char net[8];
    s_hosts_up (net);
    char dir[4096], yaml[4096], job[4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n  output: %s/cut.out\n"
              "  params:\n    iterations: 400\n"
              "master:\n  control: tcp://10.213.%s.1:5555\n  broadcast: tcp://10.213.%s.1:5556\n"
              "  host: hostm\n  join_timeout: 30s\n"
              "workers:\n  - name: m1\n"
              "  - name: a1\n    transport: tcp\n    endpoint: tcp://10.213.%s.2:5601\n"
              "    host: hosta\n"
              "  - name: b1\n    transport: tcp\n    endpoint: tcp://10.213.%s.3:5601\n"
              "    host: hostb\n"
              "engine:\n  batch_bytes: 4KiB\nreliability:\n  ack_timeout_ms: 100\n",
              zp_test_path ("data/debian-deps.properties"), dir, net, net, net, net);
    snprintf (job, sizeof job, "%s", zp_test_write (dir, "cut.yaml", yaml));
    char ns_a[40], ns_b[40], ns_m[40], ns_x[40];
    snprintf (ns_a, sizeof ns_a, "%sa", s_prefix);
    snprintf (ns_b, sizeof ns_b, "%sb", s_prefix);
    snprintf (ns_m, sizeof ns_m, "%sm", s_prefix);
    snprintf (ns_x, sizeof ns_x, "%sx", s_prefix);
    const char *launch_a[] = {"/usr/sbin/ip", "netns", "exec",   ns_a,    zp_test_bin (),
                              "launch",       job,     "--host", "hosta", NULL};
    const char *launch_b[] = {"/usr/sbin/ip", "netns", "exec",   ns_b,    zp_test_bin (),
                              "launch",       job,     "--host", "hostb", NULL};
    const char *master[] = {"/usr/sbin/ip", "netns",  "exec", ns_m,
                            zp_test_bin (), "master", job,    NULL};
    char oa[4200], ea[4200], ob[4200], eb[4200], om[4200], em[4200];
    int pa = zp_test_start (launch_a, oa, ea);
    int pb = zp_test_start (launch_b, ob, eb);
    int pm = zp_test_start (master, om, em);
    cr_assert (zp_test_wait_for (em, "superstep 20:", 60), "the job did not start: %s",
               zp_test_read (em, NULL));
    /* Host a loses its link (at the bridge) for two seconds: less than the
       liveness window (5 x 1 s), far more than the ACK timeout. */
    const char *down[] = {"/usr/sbin/ip", "-n", ns_x, "link", "set", "ba", "down", NULL};
    const char *up[] = {"/usr/sbin/ip", "-n", ns_x, "link", "set", "ba", "up", NULL};
    char *before = zp_test_read (em, NULL);
    cr_assert (!strstr (before, "superstep 399:"), "the job ended before the cut");
    free (before);
    zp_test_run_t r;
    zp_test_run (down, 10, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    sleep (2);
    zp_test_run (up, 10, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    cr_assert_eq (zp_test_wait (pm, 120), 0, "master: %s", zp_test_read (em, NULL));
    cr_assert_eq (zp_test_wait (pa, 30), 0, "host a: %s", zp_test_read (ea, NULL));
    cr_assert_eq (zp_test_wait (pb, 30), 0, "host b: %s", zp_test_read (eb, NULL));
    char *summary = zp_test_read (om, NULL), *line = summary ? strstr (summary, "delivery") : NULL;
    cr_log_info ("after the cut: %.80s", line ? line : "nothing sent again");
    free (summary);

    /* The same job in one process. */
    char local[4200], set[4300];
    snprintf (local, sizeof local, "%s/cut-local.out", dir);
    snprintf (set, sizeof set, "job.output=%s", local);
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n  params:\n    iterations: 400\n"
              "workers:\n  - name: w\n",
              zp_test_path ("data/debian-deps.properties"));
    const char *run[] = {
        zp_test_bin (), "run", zp_test_write (dir, "cut-local.yaml", yaml), "--set", set,
        "--quiet",      NULL};
    zp_test_run (run, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    char cut[4200];
    snprintf (cut, sizeof cut, "%s/cut.out", dir);
    double rel = zp_test_max_relative (cut, local);
    cr_assert (rel >= 0 && rel < 1e-9, "pr after a link cut differs by %g", rel);
}

Test (distributed, a_job_with_every_node_inproc_can_be_watched, .timeout = 240)
{
    /* configs/local.yaml (what make run runs) names no master endpoint: the
       master binds ipc ones in a directory of the user's own, prints where,
       and a watcher started there sees the whole job. */
    char dir[4096], out[4300], set[4400], o[2][4200], e[2][4200];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (out, sizeof out, "%s/local.out", dir);
    snprintf (set, sizeof set, "job.output=%s", out);
    const char *run[] = {zp_test_bin (),
                         "run",
                         zp_test_path ("configs/local.yaml"),
                         "--set",
                         set,
                         "--set",
                         "job.params.iterations=1500",
                         NULL};
    int pr = zp_test_start (run, o[0], e[0]);
    cr_assert (zp_test_wait_for (e[0], "zpregel watch ipc://", 30), "%s",
               zp_test_read (e[0], NULL));
    char *text = zp_test_read (e[0], NULL), endpoint[512] = "";
    const char *at = strstr (text, "zpregel watch ipc://");
    cr_assert (at && sscanf (at, "zpregel watch %511s", endpoint) == 1);
    free (text);
    const char *watch[] = {zp_test_bin (), "watch", endpoint, NULL};
    int pw = zp_test_start (watch, o[1], e[1]);
    /* The job, and then the watcher's 30 s without an event: under the
       sanitizers at load 22, 3,000 supersteps and the 30 s passed 120 s. */
    cr_assert_eq (zp_test_wait (pr, 150), 0, "%s", zp_test_read (e[0], NULL));
    cr_assert_eq (zp_test_wait (pw, 30), 0, "%s", zp_test_read (e[1], NULL));
    text = zp_test_read (o[1], NULL);
    cr_assert (strstr (text, "  begin      superstep 0\n") &&
                   strstr (text, "terminate  finished after superstep 1500"),
               "the watcher missed part of the job:\n%.2000s", text);
    /* Every later BEGIN names the superstep before's slowest worker. */
    cr_assert (strstr (text, "  begin      superstep 2 (after superstep 1: ") &&
                   (strstr (text, "; slowest w1, ") || strstr (text, "; slowest w2, ")),
               "%.2000s", text);
    free (text);
    text = zp_test_read (e[1], NULL);
    cr_assert (strstr (text, "waiting for the job's broadcast at ipc://") &&
                   strstr (text, "giving up after 30s without an event"),
               "%s", text);
    free (text);
}

/* The number of entries in `dir`, not counting . and .. (-1: no such dir). */
static int s_entries (const char *dir)
{
    DIR *d = opendir (dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir (d));)
        n += strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0;
    closedir (d);
    return n;
}

Test (distributed, an_inproc_job_leaves_no_socket_files_and_fits_any_runtime_dir, .timeout = 120)
{
    /* Its watch sockets live in $XDG_RUNTIME_DIR/zpregel while the job
       runs, and go with it. A runtime directory too long for a socket's
       address (108 bytes) is no reason to fail: they go to
       /tmp/zpregel-UID instead, and go with the job there too. */
    char dir[4096], out[4300], set[4400], runtime[4300], sockets[4400];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (out, sizeof out, "%s/local.out", dir);
    snprintf (set, sizeof set, "job.output=%s", out);
    const char *run[] = {zp_test_bin (), "run", zp_test_path ("configs/local.yaml"), "--set", set,
                         "--quiet",      NULL};
    snprintf (runtime, sizeof runtime, "%s/run", dir);
    cr_assert_eq (mkdir (runtime, 0700), 0);
    setenv ("XDG_RUNTIME_DIR", runtime, 1);
    zp_test_run_t r;
    zp_test_run (run, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    snprintf (sockets, sizeof sockets, "%s/zpregel", runtime);
    cr_assert_eq (s_entries (sockets), 0, "the job left files in %s", sockets);

    char longer[4400];
    snprintf (longer, sizeof longer, "%s/%0100d", dir, 0);
    cr_assert_eq (mkdir (longer, 0700), 0);
    setenv ("XDG_RUNTIME_DIR", longer, 1);
    zp_test_run (run, 60, &r);
    unsetenv ("XDG_RUNTIME_DIR");
    cr_assert_eq (r.status, 0, "a long XDG_RUNTIME_DIR failed the job:\n%s", r.err);
    zp_test_run_free (&r);
}

Test (distributed, a_watcher_of_a_very_long_job_is_told_its_start_is_gone, .timeout = 240)
{
    /* The master keeps the newest 131,072 broadcasts. A watcher started
       after 135,000 supersteps asks for broadcast 1 on: it is told which
       are gone (GONE), says so, and follows from the oldest one kept. */
    char dir[4096], yaml[4096], job_out[4300], job_err[4300], w_out[4300], w_err[4300];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    int broadcast = zp_test_port ();
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n  output: %s/long.out\n"
              "  params:\n    iterations: 190000\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
              "workers:\n  - name: w1\n"
              "engine:\n  max_supersteps: 200000\n",
              zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties"), dir,
              zp_test_port (), broadcast);
    const char *job = zp_test_write (dir, "long.yaml", yaml);
    const char *run[] = {zp_test_bin (), "run", job, NULL};
    int pid = zp_test_start (run, job_out, job_err);
    cr_assert (zp_test_wait_for (job_err, "superstep 135000:", 180), "the job did not get there");
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", broadcast);
    const char *watch[] = {zp_test_bin (), "watch", endpoint, "--timeout", "30", NULL};
    int watcher = zp_test_start (watch, w_out, w_err);
    cr_assert (zp_test_wait_for (w_err, "the master no longer keeps broadcasts 1 to ", 30),
               "the watcher was not told: %s", zp_test_read (w_err, NULL));
    cr_assert (zp_test_wait_for (w_out, "  begin      superstep ", 30), "no superstep followed");
    cr_assert_eq (zp_test_wait (pid, 120), 0, "%s", zp_test_read (job_err, NULL));
    zp_test_wait (watcher, 60);
    char *text = zp_test_read (w_out, NULL);
    cr_assert (text && !strstr (text, "superstep 1 (after"), "history it was told is gone:\n%.300s",
               text);
    free (text);
}

/*  engine.threads: a worker computing its partition on several threads.

    Answers on several threads are checked against the LDBC references in
    test_algorithms.c. Here: how many threads a worker takes, that a thread
    computing far longer than the liveness window is not a death, and that
    a program's crash or misuse on any thread names its vertex. */
#define _GNU_SOURCE
#include "zp_test.h"

#include <sched.h>

static const char *s_example (void)
{
    return zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties");
}

/* A job of `workers` inproc workers running `algorithm` on `graph`, with
   `extra` YAML after them. */
static const char *s_job (const char *dir, const char *algorithm, const char *graph, int workers,
                          const char *extra)
{
    char yaml[4096];
    int at = snprintf (yaml, sizeof yaml, "job:\n  algorithm: %s\n  graph: %s\n  output: %s/out\n",
                       algorithm, graph, dir);
    at += snprintf (yaml + at, sizeof yaml - (size_t) at, "workers:\n");
    for (int w = 1; w <= workers; w++)
        at += snprintf (yaml + at, sizeof yaml - (size_t) at, "  - name: w%d\n", w);
    snprintf (yaml + at, sizeof yaml - (size_t) at, "%s", extra);
    static char path[4200];
    snprintf (path, sizeof path, "%s", zp_test_write (dir, "job.yaml", yaml));
    return path;
}

/* `zpregel run JOB --quiet [a1 [a2 [a3 [a4]]]]` within 120 s. */
static void s_run4 (const char *job, const char *a1, const char *a2, const char *a3, const char *a4,
                    zp_test_run_t *r)
{
    const char *argv[] = {zp_test_bin (), "run", job, "--quiet", a1, a2, a3, a4, NULL};
    zp_test_run (argv, 120, r);
}
static void s_run (const char *job, const char *a1, const char *a2, zp_test_run_t *r)
{
    s_run4 (job, a1, a2, NULL, NULL, r);
}

/* The thread count the debug log gives for worker `name`, or -1. */
static int s_threads_of (const char *err, const char *name)
{
    char needle[64];
    snprintf (needle, sizeof needle, "worker %s: computes with ", name);
    const char *at = strstr (err, needle);
    int n;
    return at && sscanf (at + strlen (needle), "%d", &n) == 1 ? n : -1;
}

Test (threads, a_worker_takes_the_setting_or_its_share_of_the_cpus, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    zp_test_run_t r;
    const char *job = s_job (dir, "pr", s_example (), 2, "engine:\n  threads: 3\n");
    s_run (job, "--log-level", "debug", &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert_eq (s_threads_of (r.err, "w1"), 3, "%s", r.err);
    cr_assert_eq (s_threads_of (r.err, "w2"), 3, "%s", r.err);
    zp_test_run_free (&r);

    /* Unset: the CPUs a worker's process may use, shared by the job's
       workers on its host: here an inproc one and a tcp process. */
    cpu_set_t set;
    cr_assert_eq (sched_getaffinity (0, sizeof set, &set), 0);
    int share = CPU_COUNT (&set) / 2 ? CPU_COUNT (&set) / 2 : 1;
    char tcp[256];
    snprintf (tcp, sizeof tcp,
              "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n",
              zp_test_port (), zp_test_port (), zp_test_port ());
    job = s_job (dir, "pr", s_example (), 1, tcp);
    s_run (job, "--log-level", "debug", &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert_eq (s_threads_of (r.err, "w1"), share, "%s", r.err);
    cr_assert_eq (s_threads_of (r.err, "w2"), share, "%s", r.err);
    zp_test_run_free (&r);

    /* Messages without a combiner (CDLP, LCC) take the setting too; a
       program that does not declare ZP_THREAD_SAFE computes on one. */
    const char *programs[] = {"cdlp", "lcc", zp_test_plugin ("paced")};
    for (int i = 0; i < 3; i++) {
        job = s_job (dir, programs[i], s_example (), 1, "engine:\n  threads: 4\n");
        s_run (job, "--log-level", "debug", &r);
        cr_assert_eq (r.status, 0, "%s: %s", programs[i], r.err);
        cr_assert_eq (s_threads_of (r.err, "w1"), i < 2 ? 4 : 1, "%s: %s", programs[i], r.err);
        zp_test_run_free (&r);
    }

    /* Out of range, named with its line. */
    job = s_job (dir, "pr", s_example (), 1, "engine:\n  threads: 5000\n");
    s_run (job, NULL, NULL, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "job.yaml:8: engine.threads: expected a whole number from 0 to 1024"),
               "%s", r.err);
    zp_test_run_free (&r);
}

Test (threads, a_thread_computing_far_past_the_liveness_window_is_not_a_death, .timeout = 120)
{
    /* Dead after 15 missed heartbeats of 100 ms: 1.5 s (a machine at load
       12 delayed a live node's heartbeats by 0.6 s). The vertex with the
       last handle computes for 8 s on the last of two threads, then on the
       one thread; the worker's heartbeat thread speaks for it meanwhile. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph =
        zp_test_path ("tests/data/ldbc/test-pr-directed/test-pr-directed.properties");
    const char *job =
        s_job (dir, zp_test_plugin ("slow_indegree"), graph, 1,
               "engine:\n  threads: 2\nreliability:\n  heartbeat_ms: 100\n  liveness: 15\n"
               "  max_recoveries: 0\n");
    zp_test_run_t r;
    s_run (job, "--set", "job.params.last_ms=8000", &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert (!strstr (r.err, "E: ") && !strstr (r.err, "W: "), "%s", r.err);
    zp_test_run_free (&r);
    char path[4300];
    snprintf (path, sizeof path, "%s/out", dir);
    char *slow = zp_test_read (path, NULL);
    cr_assert_not_null (slow);

    /* The same on one thread, without the sleep, gives the same answer. */
    s_run (job, "--set", "engine.threads=1", &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    char *fast = zp_test_read (path, NULL);
    cr_assert_not_null (fast);
    cr_assert_str_eq (slow, fast);
    free (slow);

    /* On one thread too: one compute() call of 8 s is no death. The
       worker's heartbeats come from a thread of their own. */
    s_run4 (job, "--set", "engine.threads=1", "--set", "job.params.last_ms=8000", &r);
    cr_assert_eq (r.status, 0, "one compute() past the liveness window was taken for a death:\n%s",
                  r.err);
    cr_assert (!strstr (r.err, "E: ") && !strstr (r.err, "W: "), "%s", r.err);
    zp_test_run_free (&r);
    char *single = zp_test_read (path, NULL);
    cr_assert_not_null (single);
    cr_assert_str_eq (single, fast);
    free (single);
    free (fast);
}

Test (threads, a_crash_or_a_misuse_on_any_thread_names_its_vertex, .timeout = 240)
{
    /* One worker of four threads on ten vertices: every thread has some.
       Each vertex in turn crashes, then misuses the API (mistake 6). */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const struct {
        const char *plugin, *param, *fixed;
        int status;
        const char *want; /* with the vertex's id */
    } cases[] = {
        {"crash", "crash_at", "engine.threads=4", 4,
         "crashed with SIGSEGV (invalid memory access) in superstep 1 at vertex %d;"},
        {"misuse", "at", "job.params.mistake=6", 1,
         "zp_send_i64 at vertex %d in superstep 1: sent i64, but the program's message type is "
         "f64"},
    };
    for (int c = 0; c < 2; c++) {
        const char *job = s_job (dir, zp_test_plugin (cases[c].plugin), s_example (), 1,
                                 "engine:\n  threads: 4\n");
        for (int id = 1; id <= 10; id++) {
            char set[64], want[160];
            snprintf (set, sizeof set, "job.params.%s=%d", cases[c].param, id);
            snprintf (want, sizeof want, cases[c].want, id);
            zp_test_run_t r;
            s_run4 (job, "--set", cases[c].fixed, "--set", set, &r);
            cr_assert_eq (r.status, cases[c].status, "%s at %d: %s", cases[c].plugin, id, r.err);
            cr_assert (strstr (r.err, want), "%s at %d: %s", cases[c].plugin, id, r.err);
            zp_test_run_free (&r);
        }
    }
}

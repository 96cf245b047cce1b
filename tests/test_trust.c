/*  Never a false death, never a silent wrong answer. Real jobs that end
    either right or loud: a superstep far longer than the liveness window,
    the superstep limit, full uint64 ids, a source that is not in the graph,
    empty and inconsistent input, counters after --resume, programs that
    misuse the API or crash. */
#include "zp_test.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *s_example (void)
{
    return zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties");
}

/* `zpregel run JOB --quiet [a1 [a2 [a3 [a4]]]]` within 120 s. */
static void s_run (const char *job, const char *a1, const char *a2, const char *a3, const char *a4,
                   zp_test_run_t *r)
{
    const char *argv[] = {zp_test_bin (), "run", job, "--quiet", a1, a2, a3, a4, NULL};
    zp_test_run (argv, 120, r);
}

/* A job on `graph` running `algorithm` with one inproc worker and one tcp
   worker, with `extra` YAML after the workers. */
static const char *s_job (const char *dir, const char *name, const char *algorithm,
                          const char *graph, const char *extra)
{
    char yaml[4096], file[300];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: %s\n  graph: %s\n  output: %s/%s.out\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
              "workers:\n  - name: w1\n"
              "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n%s",
              algorithm, graph, dir, name, zp_test_port (), zp_test_port (), zp_test_port (),
              extra);
    snprintf (file, sizeof file, "%s.yaml", name);
    static char path[4][4200];
    static int at;
    char *p = path[at++ % 4];
    snprintf (p, sizeof path[0], "%s", zp_test_write (dir, file, yaml));
    return p;
}

static bool s_exists (const char *dir, const char *name)
{
    char path[4300];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    return access (path, F_OK) == 0;
}

/* No error line: a correct run teaches nobody to ignore them. */
static void s_assert_no_errors (const char *err)
{
    cr_assert (!strstr (err, "E: ") && !strstr (err, "W: "), "error lines on a correct run:\n%s",
               err);
}

/* Starts `n` processes that spin on a CPU each until they are killed, or
   for 120 s at most: a busy machine. */
static void s_hog (pid_t *pids, int n)
{
    for (int i = 0; i < n; i++)
        if ((pids[i] = fork ()) == 0) {
            alarm (120);
            for (volatile unsigned long k = 0;; k++)
                ;
        }
}

static void s_unhog (pid_t *pids, int n)
{
    for (int i = 0; i < n; i++)
        if (pids[i] > 0) {
            kill (pids[i], SIGKILL);
            waitpid (pids[i], NULL, 0);
        }
}

Test (trust, building_a_large_inbox_is_not_a_death, .timeout = 120)
{
    /* LCC on the Debian graph sends every vertex's neighbour list to each
       neighbour: a worker then decodes and stores millions of messages
       between BEGIN and its first compute() call, for most of a second on
       a machine whose every core is busy (two spinning processes here):
       the build that did not keep the worker's liveness failed so with a
       window of 4 x 100 ms every time. This one allows 5 x 200 ms: a
       machine at load 17 delayed a heartbeat past 0.4 s. No recovery is allowed: the job must
       finish, with no error line, and give what the default settings give.
       (bench/soak.sh liveness runs it with 3 of 50 ms, repeatedly.) */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    pid_t hogs[2];
    s_hog (hogs, 2);
    const char *graph = zp_test_path ("data/debian-deps.properties");
    const char *tight = s_job (dir, "tight", "lcc", graph,
                               "reliability:\n  heartbeat_ms: 200\n  liveness: 5\n"
                               "  max_recoveries: 0\n");
    zp_test_run_t r;
    s_run (tight, NULL, NULL, NULL, NULL, &r);
    s_unhog (hogs, 2);
    cr_assert_eq (r.status, 0, "%s", r.err);
    s_assert_no_errors (r.err);
    zp_test_run_free (&r);
    const char *plain = s_job (dir, "plain", "lcc", graph, "");
    s_run (plain, NULL, NULL, NULL, NULL, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    char a[4300], b[4300];
    snprintf (a, sizeof a, "%s/tight.out", dir);
    snprintf (b, sizeof b, "%s/plain.out", dir);
    cr_assert (zp_test_same_file (a, b), "the two runs differ");
}

Test (trust, a_superstep_far_longer_than_the_liveness_window_is_not_a_death, .timeout = 120)
{
    /* Heartbeats every 100 ms, dead after 15 missed: 1.5 s (a machine at
       load 12, two suites and a build, delayed a live node's heartbeats by
       0.6 s). Each vertex computes for 400 ms, so a worker's superstep 0
       lasts 10 s or more (6x and more: 50 vertices on two workers), on an
       inproc and a tcp worker, with an inproc and a tcp router on
       aggregated routes. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    char extra[512];
    snprintf (extra, sizeof extra,
              "routers:\n  - name: r1\n  - name: r2\n    transport: tcp\n"
              "    endpoint: tcp://127.0.0.1:%d\n"
              "routing:\n  mode: aggregated\n"
              "reliability:\n  heartbeat_ms: 100\n  liveness: 15\n  max_recoveries: 0\n",
              zp_test_port ());
    const char *job = s_job (
        dir, "slow", zp_test_plugin ("slow_indegree"),
        zp_test_path ("tests/data/ldbc/test-pr-directed/test-pr-directed.properties"), extra);
    zp_test_run_t r;
    s_run (job, "--set", "job.params.vertex_ms=400", NULL, NULL, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    s_assert_no_errors (r.err);
    zp_test_run_free (&r);
    /* The in-degrees of the graph, from its .e file. */
    char path[4300];
    snprintf (path, sizeof path, "%s/slow.out", dir);
    char *out = zp_test_read (path, NULL);
    char *edges =
        zp_test_read (zp_test_path ("tests/data/ldbc/test-pr-directed/test-pr-directed.e"), NULL);
    cr_assert (out && edges);
    long in[51] = {0};
    for (char *line = edges; *line;) {
        long a, b;
        cr_assert_eq (sscanf (line, "%ld %ld", &a, &b), 2);
        cr_assert (b >= 1 && b <= 50);
        in[b]++;
        line = strchr (line, '\n') ? strchr (line, '\n') + 1 : line + strlen (line);
    }
    int seen = 0;
    for (char *line = out; *line; seen++) {
        long id, value;
        cr_assert_eq (sscanf (line, "%ld %ld", &id, &value), 2);
        cr_assert (id >= 1 && id <= 50);
        cr_assert_eq (value, in[id], "vertex %ld: in-degree %ld, expected %ld", id, value, in[id]);
        line = strchr (line, '\n') ? strchr (line, '\n') + 1 : line + strlen (line);
    }
    cr_assert_eq (seen, 50);
    free (out);
    free (edges);
}

Test (trust, the_superstep_limit_fails_the_job_unless_asked_to_stop, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *job = s_job (dir, "limit", "pr", s_example (), "engine:\n  max_supersteps: 3\n");
    zp_test_run_t r;
    s_run (job, "--set", "job.params.iterations=10", NULL, NULL, &r);
    cr_assert_eq (r.status, 3, "%s", r.err);
    cr_assert (strstr (r.err, "not converged: stopped at engine.max_supersteps (3) with 10 "
                              "vertices active"),
               "%s", r.err);
    cr_assert (!s_exists (dir, "limit.out"), "a job that did not converge wrote its output");
    zp_test_run_free (&r);
    const char *argv[] = {zp_test_bin (),
                          "run",
                          job,
                          "--set",
                          "engine.on_limit=stop",
                          "--set",
                          "job.params.iterations=10",
                          NULL};
    zp_test_run (argv, 120, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    cr_assert (strstr (r.out, "NOT CONVERGED: stopped at engine.max_supersteps (3)"), "%s", r.out);
    cr_assert (s_exists (dir, "limit.out"));
    zp_test_run_free (&r);
}

Test (trust, vertex_ids_use_all_64_bits, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *graph = zp_test_write (dir, "big.e",
                                       "18446744073709551615 18446744073709551614\n"
                                       "18446744073709551614 5\n"
                                       "9223372036854775808 18446744073709551615\n"
                                       "7 9223372036854775809\n");
    zp_test_run_t r;
    s_run (s_job (dir, "wcc", "wcc", graph, ""), NULL, NULL, NULL, NULL, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    char path[4300];
    snprintf (path, sizeof path, "%s/wcc.out", dir);
    char *out = zp_test_read (path, NULL);
    cr_assert_str_eq (out, "5 5\n7 7\n9223372036854775808 5\n9223372036854775809 7\n"
                           "18446744073709551614 5\n18446744073709551615 5\n");
    free (out);
    /* A source at the top of the range is a source; -1 is not an id. */
    const char *bfs = s_job (dir, "bfs", "bfs", graph, "");
    s_run (bfs, "--set", "job.params.source=18446744073709551615", NULL, NULL, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    snprintf (path, sizeof path, "%s/bfs.out", dir);
    out = zp_test_read (path, NULL);
    cr_assert (strstr (out, "\n18446744073709551615 0\n") && strstr (out, "5 2\n"), "%s", out);
    free (out);
    s_run (bfs, "--set", "job.params.source=-1", NULL, NULL, &r);
    cr_assert_eq (r.status, 1);
    cr_assert (strstr (r.err, "job.params.source: expected a vertex id (0 to "
                              "18446744073709551615), got \"-1\""),
               "%s", r.err);
    zp_test_run_free (&r);
}

Test (trust, a_source_that_is_not_in_the_graph_is_an_error, .timeout = 60)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *algorithms[] = {"bfs", "sssp"};
    for (int i = 0; i < 2; i++) {
        zp_test_run_t r;
        s_run (s_job (dir, algorithms[i], algorithms[i],
                      zp_test_path ("tests/data/ldbc/example-undirected/"
                                    "example-undirected.properties"),
                      ""),
               "--set", "job.params.source=77", NULL, NULL, &r);
        cr_assert_eq (r.status, 1, "%s", algorithms[i]);
        cr_assert (strstr (r.err, "job.params.source: vertex 77 is not in the graph"), "%s", r.err);
        zp_test_run_free (&r);
    }
}

/* `zpregel run` of `job` fails with `expect` in its error line. */
static void s_fails (const char *job, const char *set, const char *expect)
{
    zp_test_run_t r;
    s_run (job, set ? "--set" : NULL, set, NULL, NULL, &r);
    cr_assert_eq (r.status, 1, "expected a failure with \"%s\"; got %d: %s", expect, r.status,
                  r.err);
    cr_assert (strstr (r.err, expect), "expected \"%s\" in:\n%s", expect, r.err);
    zp_test_run_free (&r);
}

Test (trust, empty_or_inconsistent_input_is_an_error, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *props = "graph.g.vertex-file = g.v\ngraph.g.edge-file = g.e\n"
                        "graph.g.directed = true\n";
    char text[512];
    /* An empty vertex file. */
    zp_test_write (dir, "g.v", "");
    zp_test_write (dir, "g.e", "1 2\n");
    const char *graph = zp_test_write (dir, "g.properties", props);
    s_fails (s_job (dir, "empty-v", "wcc", graph, ""), NULL, "g.v: no vertices: the file is empty");
    /* An empty edge file. */
    zp_test_write (dir, "g.v", "1\n2\n");
    zp_test_write (dir, "g.e", "");
    s_fails (s_job (dir, "empty-e", "wcc", graph, ""), NULL, "g.e: no edges: the file is empty");
    /* An empty SNAP file. */
    const char *snap = zp_test_write (dir, "empty.txt", "# nothing\n");
    s_fails (s_job (dir, "empty-snap", "wcc", snap, ""), NULL,
             "empty.txt: no edges: the file is empty");
    /* meta.vertices and meta.edges that disagree with the files. */
    zp_test_write (dir, "g.e", "1 2\n");
    snprintf (text, sizeof text, "%sgraph.g.meta.vertices = 3\n", props);
    graph = zp_test_write (dir, "g.properties", text);
    s_fails (s_job (dir, "meta-v", "wcc", graph, ""), NULL, "g.v holds 2 vertices, but");
    snprintf (text, sizeof text, "%sgraph.g.meta.edges = 2\n", props);
    graph = zp_test_write (dir, "g.properties", text);
    s_fails (s_job (dir, "meta-e", "wcc", graph, ""), NULL, "g.e holds 1 edges, but");
    /* A labels file that is not there. */
    graph = zp_test_write (dir, "g.properties", props);
    s_fails (s_job (dir, "labels", "wcc", graph, ""), "job.labels=nowhere.names", "job.labels:");
    /* job.directed with input that says itself whether it is directed. */
    s_fails (s_job (dir, "directed", "wcc", graph, ""), "job.directed=false",
             "job.directed is for SNAP edge lists");
}

Test (trust, counters_after_a_resume_count_what_the_run_did, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    char extra[600], stats[4300];
    snprintf (extra, sizeof extra,
              "reliability:\n  checkpoint_every: 2\n  checkpoint_dir: %s/ckpt\n", dir);
    const char *job = s_job (dir, "resume", "pr", s_example (), extra);
    zp_test_run_t r;
    s_run (job, "--set", "job.params.iterations=10", NULL, NULL, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    snprintf (stats, sizeof stats, "%s/stats.jsonl", dir);
    const char *argv[] = {zp_test_bin (),
                          "run",
                          job,
                          "--quiet",
                          "--resume",
                          "--stats",
                          stats,
                          "--set",
                          "job.params.iterations=10",
                          NULL};
    zp_test_run (argv, 120, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    s_assert_no_errors (r.err);
    zp_test_run_free (&r);
    char *text = zp_test_read (stats, NULL);
    cr_assert (text);
    const char *summary = strstr (text, "{\"summary\":true");
    cr_assert (summary, "%s", text);
    unsigned long long resumed = 0, messages = ~0ull;
    const char *at = strstr (summary, "\"resumed_step\":");
    cr_assert (at && sscanf (at, "\"resumed_step\":%llu", &resumed) == 1, "%s", summary);
    at = strstr (summary, "\"messages\":");
    cr_assert (at && sscanf (at, "\"messages\":%llu", &messages) == 1);
    /* The example PageRank resumes from superstep 10 of 11: at most one
       superstep's messages (17 edges). */
    cr_assert_eq (resumed, 10, "%s", summary);
    cr_assert (messages <= 17, "messages %llu after a resume: %s", messages, summary);
    free (text);
}

Test (trust, a_program_that_misuses_the_api_is_named, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *job = s_job (dir, "misuse", zp_test_plugin ("misuse"), s_example (),
                             "engine:\n  check_program: true\n");
    const char *expect[] = {
        NULL,
        "zp_aggregate_f64 at vertex 1 in superstep 1: aggregator 3, but the program has 1",
        "zp_in_degree at vertex 1 in superstep 1: the program does not declare "
        "ZP_NEEDS_IN_EDGES",
        "zp_out_weight at vertex 1 in superstep 1: the program does not declare "
        "ZP_NEEDS_WEIGHTS",
        "zp_message_f64 at vertex 1 in superstep 1: index 6, but there are 1",
        "zp_out_target at vertex 1 in superstep 1: index 4, but there are 2",
        "zp_send_i64 at vertex 1 in superstep 1: sent i64, but the program's message type is "
        "f64",
        "zp_get_i64 at vertex 1 in superstep 1: the program's value type is f64",
        "zp_send_out_f64 at vertex 1 in superstep 0: messages are sent from compute(), not "
        "init() (in init)",
        "zp_out_value_f64 at vertex 1 in superstep 1: the program does not declare "
        "ZP_READS_NEIGHBOURS",
        "zp_send_out_plus_weight at vertex 1 in superstep 1: the program does not declare "
        "ZP_NEEDS_WEIGHTS",
        "zp_scratch at vertex 1 in superstep 1: out of memory for 4611686018427387904 bytes",
        "zp_local_value at vertex 1 in superstep 1: handle 13, but |V| = 10",
        "zp_send_each_f64 at vertex 1 in superstep 1: sent to handle 10, but |V| = 10",
    };
    /* Mistake 11 asks for 2^62 bytes: a sanitizer build returns NULL too. */
    setenv ("ASAN_OPTIONS", "allocator_may_return_null=1", 1);
    for (int m = 1; m <= 13; m++) {
        char set[64];
        snprintf (set, sizeof set, "job.params.mistake=%d", m);
        zp_test_run_t r;
        s_run (job, "--set", set, NULL, NULL, &r);
        cr_assert_eq (r.status, 1, "mistake %d: %s", m, r.err);
        cr_assert (strstr (r.err, expect[m]), "mistake %d:\n%s", m, r.err);
        zp_test_run_free (&r);
    }
    zp_test_run_t r;
    s_run (job, "--set", "job.params.mistake=0", NULL, NULL, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
}

Test (trust, a_crashing_program_is_reported_and_not_retried, .timeout = 120)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    /* Vertex 4 is placed on the tcp worker; vertex 1 on the inproc one
       (hash placement of the example graph, two workers). */
    const char *job = s_job (dir, "crash", zp_test_plugin ("crash"), s_example (),
                             "reliability:\n  max_recoveries: 3\n");
    const char *at[] = {"job.params.crash_at=4", "job.params.crash_at=1"};
    for (int i = 0; i < 2; i++) {
        zp_test_run_t r;
        s_run (job, "--set", at[i], NULL, NULL, &r);
        cr_assert_eq (r.status, 4, "%s", r.err);
        char want[128];
        snprintf (want, sizeof want,
                  "crashed with SIGSEGV (invalid memory access) in superstep 1 "
                  "at vertex %c",
                  at[i][strlen (at[i]) - 1]);
        cr_assert (strstr (r.err, want), "%s", r.err);
        cr_assert (!strstr (r.err, "recovery"), "a crash was retried:\n%s", r.err);
        zp_test_run_free (&r);
    }
}

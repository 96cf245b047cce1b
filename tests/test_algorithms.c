/*  The six LDBC Graphalytics algorithms and shared-object programs.

    Every reference output in tests/data/ldbc passes the Graphalytics rules with
    1, 2 and 3 workers, and with 1 and 2 workers of 3 compute threads; on a
    generated graph of 100k+ edges every algorithm gives the same answer
    with 1 worker on 1 thread as with 3 workers of 3 threads. Some runs
    check the programs' calls (engine.check_program) and some do not, so
    that both the checked calls and the inline ones are run. */
#include "zp_test.h"
#include "zpregel/zp_job.h"

#include <glob.h>
#include <math.h>

static char s_err[4096];

/* Runs `algorithm` on `graph` with `workers` in-process workers; returns the
   output path (static) or NULL. `extra` is more YAML under job:. */
static const char *s_run (const char *algorithm, const char *graph, int workers, const char *extra)
{
    const char *dir = zp_test_tmpdir ();
    static char out[4200];
    snprintf (out, sizeof out, "%s/out.txt", dir);
    char yaml[8192];
    int at = snprintf (yaml, sizeof yaml,
                       "job:\n  algorithm: %s\n  graph: %s\n  output: %s\n%sworkers:\n", algorithm,
                       graph, out, extra);
    for (int w = 0; w < workers; w++)
        at += snprintf (yaml + at, sizeof yaml - (size_t) at, "  - name: w%d\n", w);
    const char *path = zp_test_write (dir, "job.yaml", yaml);
    zp_config_t *cfg = zp_config_load (path, NULL, 0, s_err, sizeof s_err);
    cr_assert_not_null (cfg, "%s", s_err);
    zp_job_summary_t summary;
    int rc = zp_job_run (cfg, NULL, &summary, s_err, sizeof s_err);
    zp_job_summary_free (&summary);
    zp_config_destroy (&cfg);
    return rc == 0 ? out : NULL;
}

static const char *s_rule (const char *algo)
{
    if (!strcmp (algo, "bfs") || !strcmp (algo, "cdlp"))
        return "exact";
    if (!strcmp (algo, "wcc"))
        return "equivalence";
    return "epsilon";
}

Test (algorithms, every_ldbc_reference_with_1_2_3_workers)
{
    glob_t refs;
    cr_assert_eq (glob (zp_test_path ("tests/data/ldbc/*/*-[A-Z]*"), 0, NULL, &refs), 0);
    cr_assert_eq (refs.gl_pathc, 24, "expected the 24 reference outputs");
    for (size_t i = 0; i < refs.gl_pathc; i++) {
        const char *ref = refs.gl_pathv[i];
        char dir[4096], graph[4200], algo[16];
        snprintf (dir, sizeof dir, "%s", ref);
        *strrchr (dir, '/') = 0;
        const char *name = strrchr (dir, '/') + 1;
        snprintf (graph, sizeof graph, "%s/%s.properties", dir, name);
        snprintf (algo, sizeof algo, "%s", strrchr (ref, '-') + 1);
        for (char *c = algo; *c; c++)
            *c = (char) (*c - 'A' + 'a');
        /* Workers, the compute threads of each, and engine.check_program:
           without it the programs' calls are the inline ones of
           zp_program.h, with it the checked functions. */
        const int runs[][3] = {{1, 1, 0}, {2, 1, 1}, {3, 1, 0}, {1, 3, 1}, {2, 3, 0}};
        for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
            char extra[96];
            snprintf (extra, sizeof extra, "engine:\n  threads: %d\n  check_program: %s\n",
                      runs[k][1], runs[k][2] ? "true" : "false");
            const char *out = s_run (algo, graph, runs[k][0], extra);
            cr_assert_not_null (out, "%s %s: %s", name, algo, s_err);
            char msg[512];
            cr_assert_eq (zp_test_validate (out, ref, s_rule (algo), msg, sizeof msg), 0,
                          "%s on %s with %d workers of %d threads%s: %s", algo, name, runs[k][0],
                          runs[k][1], runs[k][2] ? ", checked" : "", msg);
        }
    }
    globfree (&refs);
}

/* A weighted, directed Graphalytics dataset: n vertices with gaps in the ids,
   m random arcs skewed towards low sources, and parameters for every algorithm. */
static const char *s_generate (int n, int m, bool directed)
{
    const char *dir = zp_test_tmpdir ();
    char path[4200];
    snprintf (path, sizeof path, "%s/gen.v", dir);
    FILE *f = fopen (path, "w");
    for (int i = 0; i < n; i++)
        fprintf (f, "%d\n", i * 3 + 1);
    fclose (f);
    /* Arcs sorted and unique, as Graphalytics files are. */
    char *seen = calloc ((size_t) n * n / 8 + 1, 1);
    srand (7);
    for (int k = 0; k < m;) {
        int a = rand () % (rand () % n + 1), b = rand () % n;
        if (!directed && a > b) {
            int t = a;
            a = b;
            b = t;
        }
        size_t bit = (size_t) a * n + b;
        if (a == b || (seen[bit / 8] & (1 << (bit % 8))))
            continue;
        seen[bit / 8] |= (char) (1 << (bit % 8));
        k++;
    }
    snprintf (path, sizeof path, "%s/gen.e", dir);
    f = fopen (path, "w");
    for (size_t bit = 0; bit < (size_t) n * n; bit++)
        if (seen[bit / 8] & (1 << (bit % 8)))
            fprintf (f, "%zu %zu %.3f\n", (bit / n) * 3 + 1, (bit % n) * 3 + 1,
                     (double) (rand () % 1000) / 100.0);
    fclose (f);
    free (seen);
    char props[1024];
    snprintf (props, sizeof props,
              "graph.gen.vertex-file = gen.v\ngraph.gen.edge-file = gen.e\n"
              "graph.gen.directed = %s\ngraph.gen.edge-properties.names = weight\n"
              "graph.gen.bfs.source-vertex = 1\ngraph.gen.sssp.source-vertex = 1\n"
              "graph.gen.sssp.weight-property = weight\ngraph.gen.cdlp.max-iterations = 10\n"
              "graph.gen.pr.damping-factor = 0.85\ngraph.gen.pr.num-iterations = 10\n",
              directed ? "true" : "false");
    static char ppath[4200];
    snprintf (ppath, sizeof ppath, "%s", zp_test_write (dir, "gen.properties", props));
    return ppath;
}

/* Runs `algorithm` twice on `graph`, with `workers_a` workers and
   `extra_a`, then `workers_b` and `extra_b`, and asserts the same answer:
   within 1e-9 for PageRank (sums in another order), exactly for the
   others. */
static void s_same_answers (const char *algorithm, const char *graph, int workers_a,
                            const char *extra_a, int workers_b, const char *extra_b)
{
    char first[4200];
    const char *out = s_run (algorithm, graph, workers_a, extra_a);
    cr_assert_not_null (out, "%s: %s", algorithm, s_err);
    snprintf (first, sizeof first, "%s", out);
    out = s_run (algorithm, graph, workers_b, extra_b);
    cr_assert_not_null (out, "%s: %s", algorithm, s_err);
    if (strcmp (algorithm, "pr") == 0) {
        double rel = zp_test_max_relative (first, out);
        cr_assert (rel >= 0 && rel < 1e-9, "pr on %d workers [%s] and %d [%s] differs by %g",
                   workers_a, extra_a, workers_b, extra_b, rel);
    } else {
        char *a = zp_test_read (first, NULL), *b = zp_test_read (out, NULL);
        cr_assert_str_eq (a, b, "%s on %d workers [%s] and %d [%s] disagree", algorithm, workers_a,
                          extra_a, workers_b, extra_b);
        free (a);
        free (b);
    }
}

static void s_one_vs_many (bool directed)
{
    const char *graph = s_generate (12000, 120000, directed);
    const char *algos[] = {"bfs", "wcc", "cdlp", "lcc", "sssp", "pr"};
    for (int i = 0; i < 6; i++)
        s_same_answers (algos[i], graph, 1, "engine:\n  threads: 1\n  check_program: false\n", 3,
                        "  params: {}\nengine:\n  threads: 3\n");
}

Test (algorithms, one_worker_equals_three_on_120k_directed_edges)
{
    s_one_vs_many (true);
}

Test (algorithms, one_worker_equals_three_on_120k_undirected_edges)
{
    s_one_vs_many (false);
}

/* engine.pull: a dense superstep (PageRank's every one, the middle of a
   BFS) pulls its zp_send_out_* messages over in-edges, and gives the
   answers pushing gives: exactly for BFS, WCC and SSSP (min), within
   1e-9 for PageRank (sums in another order); on 1 worker of 1 thread and
   3 workers of 2. The debug log says which supersteps pulled. */
Test (algorithms, pulling_gives_the_answers_of_pushing, .timeout = 300)
{
    const char *graph = s_generate (12000, 120000, true);
    const char *algos[] = {"bfs", "wcc", "sssp", "pr"};
    const int runs[][2] = {{1, 1}, {3, 2}};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 2; k++) {
            char push[96], pull[96];
            snprintf (push, sizeof push, "engine:\n  threads: %d\n  pull: false\n", runs[k][1]);
            snprintf (pull, sizeof pull, "engine:\n  threads: %d\n  pull: true\n", runs[k][1]);
            s_same_answers (algos[i], graph, runs[k][0], push, runs[k][0], pull);
        }

    /* Which supersteps pulled: PageRank's from the first, none with
       pull: false; BFS's first, where only the source computes, does not. */
    const struct {
        const char *algorithm, *set, *dense, *sparse;
    } logs[] = {
        {"pr", "engine.pull=true", "superstep 0 was dense", NULL},
        {"pr", "engine.pull=false", NULL, "was dense"},
        {"bfs", "engine.pull=true", "was dense", "superstep 0 was dense"},
    };
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        char yaml[8192];
        const char *dir = zp_test_tmpdir ();
        snprintf (yaml, sizeof yaml,
                  "job:\n  algorithm: %s\n  graph: %s\n  output: %s/out.txt\n"
                  "workers:\n  - name: w1\n",
                  logs[i].algorithm, graph, dir);
        const char *path = zp_test_write (dir, "job.yaml", yaml);
        const char *argv[] = {zp_test_bin (), "run",   path,        "--quiet", "--log-level",
                              "debug",        "--set", logs[i].set, NULL};
        zp_test_run_t r;
        zp_test_run (argv, 120, &r);
        cr_assert_eq (r.status, 0, "%s", r.err);
        if (logs[i].dense)
            cr_assert (strstr (r.err, logs[i].dense), "%s %s: %s", logs[i].algorithm, logs[i].set,
                       r.err);
        if (logs[i].sparse)
            cr_assert_null (strstr (r.err, logs[i].sparse), "%s %s", logs[i].algorithm,
                            logs[i].set);
        zp_test_run_free (&r);
    }
}

Test (algorithms, weight_property_comes_from_properties_or_params)
{
    const char *graph =
        zp_test_path ("tests/data/ldbc/example-directed/example-directed.properties");
    cr_assert_null (s_run ("sssp", graph, 1, "  params:\n    weight_property: cost\n"));
    cr_assert (strstr (s_err, "edge property \"cost\" is not among edge-properties.names (weight)"),
               "%s", s_err);
    /* BFS needs a source; a graph whose properties give none needs job.params.source. */
    const char *wcc =
        zp_test_path ("tests/data/ldbc/test-wcc-directed/test-wcc-directed.properties");
    cr_assert_null (s_run ("bfs", wcc, 1, ""));
    cr_assert (strstr (s_err, "job.params.source: required by bfs (id of the source vertex)"), "%s",
               s_err);
    cr_assert_not_null (s_run ("bfs", wcc, 2, "  params:\n    source: 2\n"), "%s", s_err);
    /* SSSP on a graph without weights. */
    cr_assert_null (s_run ("sssp", wcc, 1, "  params:\n    source: 1\n"));
    cr_assert (strstr (s_err, "the graph has no edge properties, so no weight \"weight\""), "%s",
               s_err);
}

Test (algorithms, shared_object_programs)
{
    const char *build =
        getenv ("ZPREGEL_BUILD") ? getenv ("ZPREGEL_BUILD") : zp_test_path ("build");
    const char *graph =
        zp_test_path ("tests/data/ldbc/test-pr-directed/test-pr-directed.properties");
    char so[4200];
    snprintf (so, sizeof so, "%s/libzp_indegree.so", build);
    const char *out = s_run (so, graph, 2, "");
    cr_assert_not_null (out, "%s", s_err);
    /* In-degree centrality of vertex 1 is its in-degree over |V| - 1 = 49. */
    char *text = zp_test_read (out, NULL);
    cr_assert (strncmp (text, "1 ", 2) == 0);
    double c = strtod (text + 2, NULL) * 49;
    cr_assert (c > 0.5 && fabs (c - round (c)) < 1e-9, "not a whole in-degree: %.17g", c);
    free (text);

    snprintf (so, sizeof so, "%s/tests/libzp_bad_version.so", build);
    cr_assert_null (s_run (so, graph, 1, ""));
    char expect[200];
    snprintf (expect, sizeof expect,
              "libzp_bad_version.so: program from-the-future was built for zpregel API version "
              "100; this is version %d (and runs programs of versions 1 to %d)",
              ZP_API_VERSION, ZP_API_VERSION);
    cr_assert (strstr (s_err, expect), "%s", s_err);
    /* An object with version 1's layout (shorter than version 2's): run as
       it is, every vertex's out-degree, as the .e file counts it. */
    snprintf (so, sizeof so, "%s/tests/libzp_v1_layout.so", build);
    out = s_run (so, graph, 2, "");
    cr_assert_not_null (out, "%s", s_err);
    char *edges =
        zp_test_read (zp_test_path ("tests/data/ldbc/test-pr-directed/test-pr-directed.e"), NULL);
    long degree_of_1 = 0;
    for (const char *line = edges; line && *line; line = strchr (line, '\n') + 1) {
        degree_of_1 += strncmp (line, "1 ", 2) == 0;
        if (!strchr (line, '\n'))
            break;
    }
    free (edges);
    text = zp_test_read (out, NULL);
    char want[64];
    snprintf (want, sizeof want, "1 %ld\n", degree_of_1);
    cr_assert (text && strncmp (text, want, strlen (want)) == 0, "expected %s, got %.40s", want,
               text);
    free (text);
    snprintf (so, sizeof so, "%s/tests/libzp_no_symbol.so", build);
    cr_assert_null (s_run (so, graph, 1, ""));
    cr_assert (strstr (s_err, "does not export a program: it must define `const zp_program_t "
                              "zp_program`"),
               "%s", s_err);
    cr_assert_null (s_run ("./nowhere/libmissing.so", graph, 1, ""));
    cr_assert (strstr (s_err, "job.algorithm: cannot load program"), "%s", s_err);
    cr_assert (strstr (s_err, "No such file or directory"), "%s", s_err);
}

Test (algorithms, every_ldbc_reference_with_1_2_3_tcp_worker_processes, .timeout = 300)
{
    glob_t refs;
    cr_assert_eq (glob (zp_test_path ("tests/data/ldbc/*/*-[A-Z]*"), 0, NULL, &refs), 0);
    const char *dir = zp_test_tmpdir ();
    char d[4096];
    snprintf (d, sizeof d, "%s", dir);
    for (size_t i = 0; i < refs.gl_pathc; i++) {
        const char *ref = refs.gl_pathv[i];
        char gdir[4096], graph[4200], algo[16];
        snprintf (gdir, sizeof gdir, "%s", ref);
        *strrchr (gdir, '/') = 0;
        const char *name = strrchr (gdir, '/') + 1;
        snprintf (graph, sizeof graph, "%s/%s.properties", gdir, name);
        snprintf (algo, sizeof algo, "%s", strrchr (ref, '-') + 1);
        for (char *c = algo; *c; c++)
            *c = (char) (*c - 'A' + 'a');
        for (int w = 1; w <= 3; w++) {
            char yaml[4096], out[4200];
            snprintf (out, sizeof out, "%s/out.txt", d);
            int at = snprintf (yaml, sizeof yaml,
                               "job:\n  algorithm: %s\n  graph: %s\n  output: %s\nmaster:\n"
                               "  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
                               "workers:\n",
                               algo, graph, out, zp_test_port (), zp_test_port ());
            for (int k = 0; k < w; k++)
                at += snprintf (
                    yaml + at, sizeof yaml - (size_t) at,
                    "  - name: t%d\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n", k,
                    zp_test_port ());
            const char *argv[] = {zp_test_bin (), "run", zp_test_write (d, "job.yaml", yaml),
                                  "--quiet", NULL};
            zp_test_run_t r;
            zp_test_run (argv, 60, &r);
            cr_assert_eq (r.status, 0, "%s on %s with %d tcp workers: %s", algo, name, w, r.err);
            zp_test_run_free (&r);
            char msg[512];
            cr_assert_eq (zp_test_validate (out, ref, s_rule (algo), msg, sizeof msg), 0,
                          "%s on %s with %d tcp workers: %s", algo, name, w, msg);
        }
    }
    globfree (&refs);
}

/*  The engine, in process: master and workers as actors over inproc sockets.
    Test programs exercise each message path (combined, listed, bytes), a
    function combiner, aggregators, parameters, vote-to-halt and reactivation;
    each result is checked against a direct computation on the same graph. */
#include "zp_test.h"
#include "zpregel/zp_job.h"
#include "zpregel/zp_program.h"
#include "zp_graph.h"

#include <czmq.h>

#include <inttypes.h>
#include <math.h>

/* --- test programs --------------------------------------------------------- */

static void s_indeg_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0)
        zp_send_out_i64 (v, 1);
    else {
        int64_t sum = 0;
        for (size_t i = 0; i < zp_message_count (v); i++)
            sum += zp_message_i64 (v, i);
        zp_set_i64 (v, sum);
    }
    zp_vote_to_halt (v);
}

static const zp_program_t s_indeg = {.api_version = ZP_API_VERSION,
                                     .name = "t-indeg",
                                     .value_type = ZP_I64,
                                     .message_type = ZP_I64,
                                     .compute = s_indeg_compute};

static void s_bytes_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        uint8_t msg[16];
        uint64_t id = zp_id (v);
        memcpy (msg, &id, 8);
        memset (msg + 8, 0xab, 8);
        zp_send_out_bytes (v, msg, 8 + id % 5);
    } else {
        int64_t sum = 0;
        for (size_t i = 0; i < zp_message_count (v); i++) {
            size_t len;
            const uint8_t *m = zp_message_bytes (v, i, &len);
            uint64_t id;
            memcpy (&id, m, 8);
            bool ok = len == 8 + id % 5;
            for (size_t k = 8; ok && k < len; k++)
                ok = m[k] == 0xab;
            sum = ok && sum >= 0 ? sum + (int64_t) id : -1;
        }
        zp_set_i64 (v, sum);
    }
    zp_vote_to_halt (v);
}

static const zp_program_t s_bytes = {.api_version = ZP_API_VERSION,
                                     .name = "t-bytes",
                                     .value_type = ZP_I64,
                                     .message_type = ZP_BYTES,
                                     .compute = s_bytes_compute};

static void s_max_fn (zp_value_t *acc, zp_value_t m)
{
    if (m.f64 > acc->f64)
        acc->f64 = m.f64;
}

static void s_fnmax_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0)
        zp_send_out_f64 (v, (double) zp_id (v));
    else
        zp_set_f64 (v, zp_message_count (v) ? zp_message_f64 (v, 0) : -1.0);
    zp_vote_to_halt (v);
}

static const zp_program_t s_fnmax = {.api_version = ZP_API_VERSION,
                                     .name = "t-fnmax",
                                     .value_type = ZP_F64,
                                     .message_type = ZP_F64,
                                     .combiner = ZP_COMBINE_FN,
                                     .combine = s_max_fn,
                                     .compute = s_fnmax_compute};

static const zp_aggregator_def_t s_aggs[] = {{"count", ZP_I64, ZP_COMBINE_SUM},
                                             {"min_id", ZP_I64, ZP_COMBINE_MIN},
                                             {"max_id", ZP_F64, ZP_COMBINE_MAX}};
static const zp_param_def_t s_agg_params[] = {
    {"which", ZP_I64, NULL, true, {.i64 = 0}, "aggregator to report"}};

static void s_agg_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        zp_aggregate_i64 (v, 0, 1);
        zp_aggregate_i64 (v, 1, (int64_t) zp_id (v));
        zp_aggregate_f64 (v, 2, (double) zp_id (v));
        return; /* stay active for one more superstep */
    }
    int64_t which = *(int64_t *) zp_state (v);
    zp_set_i64 (v, which == 0   ? zp_aggregated_i64 (v, 0)
                   : which == 1 ? zp_aggregated_i64 (v, 1)
                                : (int64_t) zp_aggregated_f64 (v, 2));
    zp_vote_to_halt (v);
}

static int s_agg_setup (const zp_params_t *params, void **state, char *err, size_t len)
{
    int64_t *which = malloc (sizeof *which);
    *which = zp_param_i64 (params, "which");
    *state = which;
    return 0;
}

static const zp_program_t s_agg = {.api_version = ZP_API_VERSION,
                                   .name = "t-agg",
                                   .value_type = ZP_I64,
                                   .message_type = ZP_I64,
                                   .params = s_agg_params,
                                   .n_params = 1,
                                   .aggregators = s_aggs,
                                   .n_aggregators = 3,
                                   .setup = s_agg_setup,
                                   .teardown = free,
                                   .compute = s_agg_compute};

/* Hop distance from the smallest id, by min-combined messages: a vertex
   sleeps until a shorter distance wakes it. */
static void s_hops_init (zp_vertex_t *v)
{
    zp_set_i64 (v, INT64_MAX);
}

static void s_hops_compute (zp_vertex_t *v)
{
    int64_t best = zp_get_i64 (v);
    if (zp_superstep (v) == 0 && zp_id (v) == (uint64_t) * (int64_t *) zp_state (v))
        best = 0;
    else if (zp_message_count (v) && zp_message_i64 (v, 0) < best)
        best = zp_message_i64 (v, 0);
    if (best < zp_get_i64 (v)) {
        zp_set_i64 (v, best);
        zp_send_out_i64 (v, best + 1);
    }
    zp_vote_to_halt (v);
}

static int s_hops_setup (const zp_params_t *params, void **state, char *err, size_t len)
{
    int64_t *source = malloc (sizeof *source);
    *source = zp_param_i64 (params, "source");
    *state = source;
    return 0;
}

static const zp_param_def_t s_hops_params[] = {{"source", ZP_I64, NULL, true, {.i64 = 0}, "root"}};

static const zp_program_t s_hops = {.api_version = ZP_API_VERSION,
                                    .name = "t-hops",
                                    .value_type = ZP_I64,
                                    .message_type = ZP_I64,
                                    .combiner = ZP_COMBINE_MIN,
                                    .params = s_hops_params,
                                    .n_params = 1,
                                    .setup = s_hops_setup,
                                    .teardown = free,
                                    .init = s_hops_init,
                                    .compute = s_hops_compute};

/* Whether a vertex got a message, whatever the message: the combined path
   must count one that cancels out (+1 and -1), one equal to the combiner's
   identity (0 for a sum, INT64_MAX for a min) and any other alike. */
static void s_presence (zp_vertex_t *v, bool f64)
{
    if (zp_superstep (v) == 0) {
        uint64_t k = zp_id (v) % 4;
        if (f64)
            zp_send_out_f64 (v, k == 0 ? 1.0 : k == 1 ? -1.0 : k == 2 ? 0.0 : 0.5);
        else
            zp_send_out_i64 (v, k == 0 ? INT64_MAX : (int64_t) zp_id (v));
    } else if (f64)
        zp_set_f64 (v, (double) zp_message_count (v));
    else
        zp_set_i64 (v, (int64_t) zp_message_count (v));
    zp_vote_to_halt (v);
}

static void s_presence_sum_compute (zp_vertex_t *v)
{
    s_presence (v, true);
}

static void s_presence_min_compute (zp_vertex_t *v)
{
    s_presence (v, false);
}

static const zp_program_t s_presence_sum = {.api_version = ZP_API_VERSION,
                                            .name = "t-presence-sum",
                                            .value_type = ZP_F64,
                                            .message_type = ZP_F64,
                                            .combiner = ZP_COMBINE_SUM,
                                            .compute = s_presence_sum_compute};

static const zp_program_t s_presence_min = {.api_version = ZP_API_VERSION,
                                            .name = "t-presence-min",
                                            .value_type = ZP_I64,
                                            .message_type = ZP_I64,
                                            .combiner = ZP_COMBINE_MIN,
                                            .compute = s_presence_min_compute};

static void s_register (void)
{
    static bool done;
    char err[256];
    if (done)
        return;
    const zp_program_t *all[] = {&s_indeg, &s_bytes,        &s_fnmax,       &s_agg,
                                 &s_hops,  &s_presence_sum, &s_presence_min};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        cr_assert_eq (zp_program_register (all[i], err, sizeof err), 0, "%s", err);
    done = true;
}

/* --- harness ----------------------------------------------------------------- */

typedef struct {
    const char *algorithm;
    const char *graph; /* absolute path */
    int workers;
    const char *extra;  /* more YAML, or "" */
    const char *params; /* YAML lines under params:, or "" */
} s_job_t;

static char s_err[4096];

/* Runs a job in process; returns the output path, or NULL (s_err says why). */
static const char *s_run (const s_job_t *job)
{
    s_register ();
    const char *dir = zp_test_tmpdir ();
    static char out[4200];
    snprintf (out, sizeof out, "%s/out.txt", dir);
    char yaml[8192];
    int at = snprintf (yaml, sizeof yaml,
                       "job:\n  algorithm: %s\n  graph: %s\n  output: %s\n%s%s%s", job->algorithm,
                       job->graph, out, *job->params ? "  params:\n" : "", job->params, job->extra);
    at += snprintf (yaml + at, sizeof yaml - (size_t) at, "workers:\n");
    for (int w = 0; w < job->workers; w++)
        at += snprintf (yaml + at, sizeof yaml - (size_t) at, "  - name: w%d\n", w + 1);
    const char *path = zp_test_write (dir, "job.yaml", yaml);
    zp_config_t *cfg = zp_config_load (path, NULL, 0, s_err, sizeof s_err);
    cr_assert_not_null (cfg, "%s", s_err);
    zp_job_summary_t summary;
    int rc = zp_job_run (cfg, NULL, &summary, s_err, sizeof s_err);
    zp_job_summary_free (&summary);
    zp_config_destroy (&cfg);
    return rc == 0 ? out : NULL;
}

static const char *s_ldbc (const char *name)
{
    static char path[8][1024];
    static int k;
    char *p = path[k++ % 8];
    char rel[512];
    snprintf (rel, sizeof rel, "tests/data/ldbc/%s/%s.properties", name, name);
    snprintf (p, 1024, "%s", zp_test_path (rel));
    return p;
}

/* A random directed graph as a SNAP file: n vertices with ids i*7+3, m edges. */
static const char *s_random_graph (int n, int m, unsigned seed)
{
    const char *dir = zp_test_tmpdir ();
    static char path[4200];
    snprintf (path, sizeof path, "%s/random.txt", dir);
    FILE *f = fopen (path, "w");
    srand (seed);
    for (int i = 0; i < m; i++) {
        /* Skewed sources: many edges out of few vertices, like real graphs. */
        int a = rand () % (rand () % n + 1), b = rand () % n;
        fprintf (f, "%d %d\n", a * 7 + 3, b * 7 + 3);
    }
    fclose (f);
    return path;
}

/* Output as an array of int64 (or double bits) by vertex index of g. */
static int64_t *s_read_i64 (const char *out, const zp_graph_t *g, bool as_double)
{
    char *text = zp_test_read (out, NULL);
    cr_assert_not_null (text);
    int64_t *vals = calloc (g->n, sizeof *vals);
    uint64_t lines = 0;
    for (char *save = NULL, *line = strtok_r (text, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save), lines++) {
        char *sp;
        uint64_t id = strtoull (line, &sp, 10);
        int64_t i = zp_graph_index (g, id);
        cr_assert_geq (i, 0, "unknown vertex %" PRIu64, id);
        vals[i] = as_double ? (int64_t) strtod (sp, NULL) : strtoll (sp, NULL, 10);
    }
    cr_assert_eq (lines, g->n);
    free (text);
    return vals;
}

static zp_graph_t *s_graph (const char *path, bool snap)
{
    char err[1024];
    zp_graph_source_t src = {path, snap ? ZP_FORMAT_SNAP : ZP_FORMAT_AUTO, 1, NULL, false, 0, NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
    cr_assert_not_null (g, "%s", err);
    return g;
}

/* --- tests -------------------------------------------------------------------- */

Test (engine, pagerank_matches_ldbc_with_1_2_3_workers)
{
    const char *graphs[] = {"example-directed", "example-undirected", "test-pr-directed",
                            "test-pr-undirected"};
    for (int g = 0; g < 4; g++)
        for (int w = 1; w <= 3; w++) {
            s_job_t job = {"pr", s_ldbc (graphs[g]), w, "", ""};
            const char *out = s_run (&job);
            cr_assert_not_null (out, "%s: %s", graphs[g], s_err);
            char ref[1024], msg[512];
            snprintf (ref, sizeof ref, "tests/data/ldbc/%s/%s-PR", graphs[g], graphs[g]);
            cr_assert_eq (zp_test_validate (out, zp_test_path (ref), "epsilon", msg, sizeof msg), 0,
                          "%s with %d workers: %s", graphs[g], w, msg);
        }
}

Test (engine, runs_are_deterministic_and_batching_does_not_change_results)
{
    const char *graph = s_random_graph (3000, 40000, 1);
    s_job_t job = {"pr", graph, 3, "  format: snap\n", "    iterations: 8\n"};
    char first[4200];
    snprintf (first, sizeof first, "%s", s_run (&job));
    char *a = zp_test_read (first, NULL);
    const char *again = s_run (&job);
    cr_assert_not_null (again, "%s", s_err);
    char *b = zp_test_read (again, NULL);
    cr_assert_str_eq (a, b, "two runs of the same job differ");
    free (b);
    /* Tiny batches (hundreds per superstep) and zstd on every link: same bytes. */
    job.extra =
        "  format: snap\nengine:\n  batch_bytes: 256\ncompression:\n  mode: on\n  min_bytes: 0\n";
    const char *small = s_run (&job);
    cr_assert_not_null (small, "%s", s_err);
    b = zp_test_read (small, NULL);
    cr_assert_str_eq (a, b, "batching or compression changed the result");
    free (a);
    free (b);
    /* Another number of workers sums in another order: equal within 1e-9. */
    job.workers = 1;
    job.extra = "  format: snap\n";
    const char *one = s_run (&job);
    cr_assert_not_null (one, "%s", s_err);
    double rel = zp_test_max_relative (first, one);
    cr_assert (rel >= 0 && rel < 1e-9, "1 vs 3 workers differ by %g", rel);
}

Test (engine, listed_messages_count_in_degrees)
{
    const char *graph = s_random_graph (2000, 30000, 2);
    zp_graph_t *g = s_graph (graph, true);
    for (int w = 1; w <= 3; w++) {
        s_job_t job = {"t-indeg", graph, w, "  format: snap\nengine:\n  batch_bytes: 1KiB\n", ""};
        const char *out = s_run (&job);
        cr_assert_not_null (out, "%s", s_err);
        int64_t *got = s_read_i64 (out, g, false);
        int64_t *want = calloc (g->n, sizeof *want);
        for (uint64_t i = 0; i < g->m; i++)
            want[g->targets[i]]++;
        for (uint64_t i = 0; i < g->n; i++)
            cr_assert_eq (got[i], want[i], "vertex %" PRIu64 " with %d workers", g->ids[i], w);
        free (got);
        free (want);
    }
    zp_graph_destroy (&g);
}

Test (engine, a_combined_message_counts_whatever_its_value)
{
    const char *graph = s_random_graph (3000, 20000, 5);
    zp_graph_t *g = s_graph (graph, true);
    bool *has = calloc (g->n, sizeof *has);
    for (uint64_t i = 0; i < g->m; i++)
        has[g->targets[i]] = true;
    const char *programs[] = {"t-presence-sum", "t-presence-min"};
    for (int k = 0; k < 2; k++)
        for (int w = 1; w <= 3; w++) {
            s_job_t job = {programs[k], graph, w, "  format: snap\nengine:\n  batch_bytes: 1KiB\n",
                           ""};
            const char *out = s_run (&job);
            cr_assert_not_null (out, "%s", s_err);
            int64_t *got = s_read_i64 (out, g, k == 0);
            for (uint64_t i = 0; i < g->n; i++)
                cr_assert_eq (got[i], has[i] ? 1 : 0, "%s, vertex %" PRIu64 " with %d workers",
                              programs[k], g->ids[i], w);
            free (got);
        }
    free (has);
    zp_graph_destroy (&g);
}

Test (engine, byte_messages_arrive_whole)
{
    const char *graph = s_random_graph (1500, 20000, 3);
    zp_graph_t *g = s_graph (graph, true);
    for (int w = 1; w <= 3; w += 2) {
        s_job_t job = {"t-bytes", graph, w,
                       "  format: snap\nengine:\n  batch_bytes: 2KiB\ncompression:\n  mode: on\n  "
                       "min_bytes: 512\n",
                       ""};
        const char *out = s_run (&job);
        cr_assert_not_null (out, "%s", s_err);
        int64_t *got = s_read_i64 (out, g, false);
        for (uint64_t v = 0; v < g->n; v++) {
            int64_t want = 0;
            for (uint64_t u = 0; u < g->n; u++)
                for (uint64_t i = g->offsets[u]; i < g->offsets[u + 1]; i++)
                    if (g->targets[i] == v)
                        want += (int64_t) g->ids[u];
            cr_assert_eq (got[v], want, "vertex %" PRIu64 " with %d workers", g->ids[v], w);
        }
        free (got);
    }
    zp_graph_destroy (&g);
}

Test (engine, function_combiner)
{
    const char *graph = s_ldbc ("test-pr-directed");
    zp_graph_t *g = s_graph (graph, false);
    s_job_t job = {"t-fnmax", graph, 2, "", ""};
    const char *out = s_run (&job);
    cr_assert_not_null (out, "%s", s_err);
    int64_t *got = s_read_i64 (out, g, true);
    for (uint64_t v = 0; v < g->n; v++) {
        int64_t want = -1;
        for (uint64_t u = 0; u < g->n; u++)
            for (uint64_t i = g->offsets[u]; i < g->offsets[u + 1]; i++)
                if (g->targets[i] == v && (int64_t) g->ids[u] > want)
                    want = (int64_t) g->ids[u];
        cr_assert_eq (got[v], want, "vertex %" PRIu64, g->ids[v]);
    }
    free (got);
    zp_graph_destroy (&g);
}

Test (engine, aggregators_and_parameters)
{
    const char *graph = s_ldbc ("test-wcc-directed"); /* ids 1..9 without 5 */
    const char *which[] = {"    which: 0\n", "    which: 1\n", "    which: 2\n"};
    int64_t want[] = {8, 1, 9};
    for (int k = 0; k < 3; k++) {
        s_job_t job = {"t-agg", graph, 3, "", which[k]};
        const char *out = s_run (&job);
        cr_assert_not_null (out, "%s", s_err);
        char *text = zp_test_read (out, NULL);
        char expect[64];
        snprintf (expect, sizeof expect, "1 %" PRId64 "\n", want[k]);
        cr_assert (strncmp (text, expect, strlen (expect)) == 0, "which=%d: %s", k, text);
        free (text);
    }
}

Test (engine, vote_to_halt_and_reactivation)
{
    const char *graph = s_random_graph (2500, 6000, 4);
    zp_graph_t *g = s_graph (graph, true);
    /* Reference: breadth-first search over out-arcs from the smallest id. */
    int64_t *want = malloc (g->n * sizeof *want);
    uint32_t *queue = malloc (g->n * sizeof *queue);
    for (uint64_t i = 0; i < g->n; i++)
        want[i] = INT64_MAX;
    size_t head = 0, tail = 0;
    want[0] = 0;
    queue[tail++] = 0;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint64_t i = g->offsets[u]; i < g->offsets[u + 1]; i++)
            if (want[g->targets[i]] == INT64_MAX) {
                want[g->targets[i]] = want[u] + 1;
                queue[tail++] = g->targets[i];
            }
    }
    char params[64];
    snprintf (params, sizeof params, "    source: %" PRIu64 "\n", g->ids[0]);
    for (int w = 1; w <= 3; w++) {
        s_job_t job = {"t-hops", graph, w, "  format: snap\n", params};
        const char *out = s_run (&job);
        cr_assert_not_null (out, "%s", s_err);
        int64_t *got = s_read_i64 (out, g, false);
        for (uint64_t i = 0; i < g->n; i++)
            cr_assert_eq (got[i], want[i], "vertex %" PRIu64 " with %d workers", g->ids[i], w);
        free (got);
    }
    free (want);
    free (queue);
    zp_graph_destroy (&g);
}

Test (engine, job_errors_are_clear)
{
    const char *graph = s_ldbc ("example-directed");
    s_job_t job = {"nope", graph, 1, "", ""};
    cr_assert_null (s_run (&job));
    cr_assert (strstr (s_err, "job.algorithm: unknown algorithm \"nope\" (built in: bfs, pr, wcc, "
                              "cdlp, lcc, sssp, kcore, hits; or the path of a shared object)"),
               "%s", s_err);

    job = (s_job_t){"pr", graph, 1, "", "    dampening: 0.5\n"};
    cr_assert_null (s_run (&job));
    cr_assert (strstr (s_err, ":6: job.params.dampening: not a parameter of pr (its parameters: "
                              "damping, iterations)"),
               "%s", s_err);

    job = (s_job_t){"pr", graph, 1, "", "    iterations: many\n"};
    cr_assert_null (s_run (&job));
    cr_assert (strstr (s_err, ":6: job.params.iterations: expected a whole number, got \"many\""),
               "%s", s_err);

    /* A bad value from the program's own checks comes back from the worker;
       each worker also logs it (into a file here, not the suite's output). */
    FILE *log = tmpfile ();
    cr_assert_not_null (log);
    zsys_set_logstream (log);
    job = (s_job_t){"pr", graph, 2, "", "    damping: 2\n"};
    cr_assert_null (s_run (&job));
    zsys_set_logstream (stderr);
    cr_assert (strstr (s_err, "failed: program pr: damping must be between 0 and 1, got 2"), "%s",
               s_err);
    char line[512];
    rewind (log);
    cr_assert (fgets (line, sizeof line, log) && strstr (line, "damping must be between 0 and 1"),
               "the workers did not log the bad value");
    fclose (log);

    job = (s_job_t){"t-agg", graph, 1, "", ""};
    cr_assert_null (s_run (&job));
    cr_assert (strstr (s_err, "job.params.which: required by t-agg (aggregator to report)"), "%s",
               s_err);
}

Test (engine, parameters_come_from_the_properties_file)
{
    /* example-directed.properties says 2 iterations; job.params overrides it. */
    const char *graph = s_ldbc ("example-directed");
    s_job_t job = {"pr", graph, 2, "", "    iterations: 1\n"};
    const char *out = s_run (&job);
    cr_assert_not_null (out, "%s", s_err);
    char msg[512];
    cr_assert_neq (zp_test_validate (
                       out, zp_test_path ("tests/data/ldbc/example-directed/example-directed-PR"),
                       "epsilon", msg, sizeof msg),
                   0, "1 iteration should not match the 2-iteration reference");
}

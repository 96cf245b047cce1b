/*  Programs written with API version 2 (struct values, master compute, an
    output formatter): kcore and hits, and with version 5 (neighbours'
    values read in place), checked against oracles written here
    (sequential, as the textbooks give them) on generated graphs, with every
    worker in one process, in tcp processes, and mixed with a router. */
#include "zp_test.h"

#include <math.h>
#include <stdint.h>

/* A random graph as a SNAP edge list: `n` vertices (ids 10, 13, 16, ...),
   `m` distinct edges, no self-loop; undirected ones written once. */
typedef struct {
    size_t n, m;
    uint64_t *ids;
    uint32_t *src, *dst;
} s_graph_t;

static void s_generate (s_graph_t *g, size_t n, size_t m, bool directed, uint64_t seed)
{
    g->n = n;
    g->m = 0;
    g->ids = malloc (n * sizeof *g->ids);
    g->src = malloc (m * sizeof *g->src);
    g->dst = malloc (m * sizeof *g->dst);
    uint8_t *seen = calloc (n * n, 1);
    cr_assert (g->ids && g->src && g->dst && seen);
    for (size_t i = 0; i < n; i++)
        g->ids[i] = 10 + 3 * i;
    uint64_t x = seed;
    for (size_t tries = 0; g->m < m && tries < 100 * m; tries++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        /* Skewed sources and targets: some vertices gather many edges. */
        uint32_t a = (uint32_t) ((x >> 33) % n), b = (uint32_t) ((x >> 13) % n);
        if ((x >> 60) < 6) {
            a %= (uint32_t) (n / 10 + 1);
            b %= (uint32_t) (n / 5 + 1);
        }
        if (!directed && a > b) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        if (a == b || seen[(size_t) a * n + b])
            continue;
        seen[(size_t) a * n + b] = 1;
        g->src[g->m] = a;
        g->dst[g->m] = b;
        g->m++;
    }
    free (seen);
}

static void s_graph_free (s_graph_t *g)
{
    free (g->ids);
    free (g->src);
    free (g->dst);
}

static const char *s_write_snap (const char *dir, const char *name, const s_graph_t *g)
{
    size_t cap = g->m * 48 + 64, at = 0;
    char *text = malloc (cap);
    for (size_t e = 0; e < g->m; e++)
        at += (size_t) snprintf (text + at, cap - at, "%llu %llu\n",
                                 (unsigned long long) g->ids[g->src[e]],
                                 (unsigned long long) g->ids[g->dst[e]]);
    static char path[4200];
    snprintf (path, sizeof path, "%s", zp_test_write (dir, name, text));
    free (text);
    return path;
}

/* Coreness, as networkx's core_number: peel every vertex whose degree is
   at most k, raising k when none is left to peel. On a directed graph a
   vertex's degree is its in-degree plus its out-degree. */
static int64_t *s_kcore_oracle (const s_graph_t *g)
{
    int64_t *degree = calloc (g->n, sizeof *degree), *core = calloc (g->n, sizeof *core);
    uint8_t *gone = calloc (g->n, 1);
    for (size_t e = 0; e < g->m; e++) {
        degree[g->src[e]]++;
        degree[g->dst[e]]++;
    }
    size_t left = g->n;
    for (int64_t k = 0; left > 0; k++)
        for (bool peeled = true; peeled;) {
            peeled = false;
            for (size_t v = 0; v < g->n; v++) {
                if (gone[v] || degree[v] > k)
                    continue;
                gone[v] = 1;
                core[v] = k;
                left--;
                peeled = true;
                for (size_t e = 0; e < g->m; e++) {
                    if (g->src[e] == (uint32_t) v)
                        degree[g->dst[e]]--;
                    if (g->dst[e] == (uint32_t) v)
                        degree[g->src[e]]--;
                }
            }
        }
    free (degree);
    free (gone);
    return core;
}

/* Kleinberg's HITS as the issue states it: hub = authority = 1; each
   iteration authority(v) = sum of hub over in-neighbours, then hub(v) = sum
   of the new authority over out-neighbours, then both divided by their sums. */
static double *s_hits_oracle (const s_graph_t *g, int iterations)
{
    double *hub = malloc (2 * g->n * sizeof *hub), *auth = hub + g->n;
    double *a = malloc (2 * g->n * sizeof *a), *h = a + g->n;
    for (size_t v = 0; v < g->n; v++)
        hub[v] = auth[v] = 1;
    for (int it = 0; it < iterations; it++) {
        memset (a, 0, 2 * g->n * sizeof *a);
        for (size_t e = 0; e < g->m; e++)
            a[g->dst[e]] += hub[g->src[e]];
        for (size_t e = 0; e < g->m; e++)
            h[g->src[e]] += a[g->dst[e]];
        double sa = 0, sh = 0;
        for (size_t v = 0; v < g->n; v++) {
            sa += a[v];
            sh += h[v];
        }
        for (size_t v = 0; v < g->n; v++) {
            auth[v] = sa ? a[v] / sa : 0;
            hub[v] = sh ? h[v] / sh : 0;
        }
    }
    free (a);
    return hub; /* hub[0..n), then authority[0..n) */
}

/* The three ways to run a job: every worker in one process; two tcp
   worker processes; an inproc worker, a tcp one and a tcp router on
   aggregated routes. */
static const char *const s_setups[] = {
    "workers:\n  - name: w0\n  - name: w1\n  - name: w2\n",
    "master:\n  control: tcp://localhost\n  broadcast: tcp://localhost\n"
    "workers:\n  - name: t0\n    transport: tcp\n    endpoint: tcp://localhost\n"
    "  - name: t1\n    transport: tcp\n    endpoint: tcp://localhost\n",
    "master:\n  control: tcp://localhost\n  broadcast: tcp://localhost\n"
    "workers:\n  - name: w0\n  - name: t1\n    transport: tcp\n    endpoint: tcp://localhost\n"
    "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://localhost\n"
    "routing:\n  mode: aggregated\n",
};
static const char *const s_setup_names[] = {"inproc", "tcp", "mixed"};

/* Runs `algorithm` on the SNAP file `graph` in setup `k`; the output text
   (caller frees). */
static char *s_run (const char *dir, const char *algorithm, const char *graph, bool directed, int k,
                    const char *params)
{
    char yaml[4096], name[128], out[4300];
    const char *base = strrchr (algorithm, '/') ? strrchr (algorithm, '/') + 1 : algorithm;
    snprintf (name, sizeof name, "%s-%s-%s.yaml", base, directed ? "d" : "u", s_setup_names[k]);
    snprintf (out, sizeof out, "%s/%s.out", dir, name);
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: %s\n  graph: %s\n  format: snap\n  directed: %s\n"
              "  output: %s\n%s%s",
              algorithm, graph, directed ? "true" : "false", out, params, s_setups[k]);
    const char *run[] = {zp_test_bin (), "run", zp_test_write (dir, name, yaml), "--quiet", NULL};
    zp_test_run_t r;
    zp_test_run (run, 120, &r);
    cr_assert_eq (r.status, 0, "%s %s: %s", algorithm, s_setup_names[k], r.err);
    zp_test_run_free (&r);
    char *text = zp_test_read (out, NULL);
    cr_assert_not_null (text);
    return text;
}

/* The index of vertex `id` (ids are 10 + 3i). */
static size_t s_index (unsigned long long id)
{
    return (size_t) (id - 10) / 3;
}

/* Checks an `id value` output of a graph of s_generate against `want`,
   by vertex index, naming `what` (the oracle's) and the setup: every
   line's value is the oracle's, and more than half the vertices have a
   line (those without edges are not in a SNAP file's graph). Returns
   how many values differ from their vertex's id. */
static size_t s_check_i64 (const char *text, const s_graph_t *g, const int64_t *want,
                           const char *what, bool directed, int k)
{
    size_t lines = 0, moved = 0;
    for (const char *line = text; *line; lines++) {
        unsigned long long id;
        long long value;
        cr_assert_eq (sscanf (line, "%llu %lld", &id, &value), 2, "%.40s", line);
        size_t v = s_index (id);
        cr_assert (v < g->n && value == want[v], "%s, %s: vertex %llu has %lld, %s says %lld",
                   directed ? "directed" : "undirected", s_setup_names[k], id, value, what,
                   v < g->n ? (long long) want[v] : -1LL);
        moved += value != (long long) id;
        line = strchr (line, '\n') ? strchr (line, '\n') + 1 : line + strlen (line);
    }
    cr_assert_gt (lines, g->n / 2);
    return moved;
}

Test (programs, kcore_is_networkx_core_number_inproc_tcp_and_mixed, .timeout = 300)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    for (int directed = 0; directed < 2; directed++) {
        s_graph_t g;
        s_generate (&g, 1500, 9000, directed, 7 + (uint64_t) directed);
        const char *graph = s_write_snap (dir, directed ? "d.txt" : "u.txt", &g);
        char path[4200];
        snprintf (path, sizeof path, "%s", graph);
        int64_t *core = s_kcore_oracle (&g);
        int64_t highest = 0;
        for (size_t v = 0; v < g.n; v++)
            highest = core[v] > highest ? core[v] : highest;
        cr_assert_gt (highest, 3, "a graph this dense has a deeper core");
        for (int k = 0; k < 3; k++) {
            char *text = s_run (dir, "kcore", path, directed, k, "");
            s_check_i64 (text, &g, core, "networkx's rule (coreness)", directed, k);
            free (text);
        }
        free (core);
        s_graph_free (&g);
    }
}

Test (programs, hits_agrees_with_the_definition_inproc_tcp_and_mixed, .timeout = 300)
{
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_graph_t g;
    s_generate (&g, 2000, 12000, true, 11);
    char path[4200];
    snprintf (path, sizeof path, "%s", s_write_snap (dir, "hits.txt", &g));
    const int iterations[] = {20, 7};
    for (int i = 0; i < 2; i++) {
        double *hub = s_hits_oracle (&g, iterations[i]), *auth = hub + g.n;
        char params[128] = "";
        if (iterations[i] != 20) /* 20 is the default */
            snprintf (params, sizeof params, "  params:\n    iterations: %d\n", iterations[i]);
        for (int k = 0; k < 3; k++) {
            char *text = s_run (dir, "hits", path, true, k, params);
            double worst = 0;
            for (char *line = text; *line;) {
                unsigned long long id;
                double h, a;
                cr_assert_eq (sscanf (line, "%llu %lf %lf", &id, &h, &a), 3, "%.60s", line);
                size_t v = s_index (id);
                cr_assert_lt (v, g.n);
                double want[2] = {hub[v], auth[v]}, got[2] = {h, a};
                for (int c = 0; c < 2; c++) {
                    double d = fabs (want[c] - got[c]) / fmax (fabs (want[c]), 1e-300);
                    if (want[c] != got[c] && d > worst)
                        worst = d;
                }
                line = strchr (line, '\n') ? strchr (line, '\n') + 1 : line + strlen (line);
            }
            cr_assert_lt (worst, 1e-9, "hits (%d iterations, %s) is off by %g", iterations[i],
                          s_setup_names[k], worst);
            free (text);
        }
        free (hub);
    }
    s_graph_free (&g);
}

/* tests/plugins/neighbour_max.c, sequentially: each vertex starts at its
   id; each round it takes the largest of its value, its in-neighbours'
   and its out-neighbours' less one, all as the round before left them. */
static int64_t *s_neighbour_max_oracle (const s_graph_t *g, bool directed, int rounds)
{
    int64_t *val = malloc (g->n * sizeof *val), *next = malloc (g->n * sizeof *next);
    for (size_t v = 0; v < g->n; v++)
        val[v] = (int64_t) g->ids[v];
    for (int r = 0; r < rounds; r++) {
        memcpy (next, val, g->n * sizeof *val);
        for (size_t e = 0; e < g->m; e++)
            for (int way = 0; way < (directed ? 1 : 2); way++) {
                uint32_t a = way ? g->dst[e] : g->src[e], b = way ? g->src[e] : g->dst[e];
                if (val[a] > next[b]) /* b's in-neighbour a */
                    next[b] = val[a];
                if (val[b] - 1 > next[a]) /* a's out-neighbour b */
                    next[a] = val[b] - 1;
            }
        int64_t *t = val;
        val = next;
        next = t;
    }
    free (next);
    return val;
}

Test (programs, a_plugin_reads_its_neighbours_values_in_place_inproc_tcp_and_mixed, .timeout = 300)
{
    /* No message is sent: every value a vertex reads of a neighbour on
       another worker comes from the mirrors (zp_out_value_*,
       zp_in_value_*), and the answer is the oracle's on every setup. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    const char *program = zp_test_plugin ("neighbour_max");
    char plugin[4200];
    snprintf (plugin, sizeof plugin, "%s", program);
    for (int directed = 0; directed < 2; directed++) {
        s_graph_t g;
        s_generate (&g, 3000, 9000, directed, 21 + (uint64_t) directed);
        char path[4200];
        snprintf (path, sizeof path, "%s", s_write_snap (dir, directed ? "nd.txt" : "nu.txt", &g));
        int64_t *want = s_neighbour_max_oracle (&g, directed, 6);
        for (int k = 0; k < 3; k++) {
            char *text = s_run (dir, plugin, path, directed, k, "");
            size_t moved = s_check_i64 (text, &g, want, "the oracle", directed, k);
            cr_assert_gt (moved, g.n / 2, "most vertices take a neighbour's value");
            free (text);
        }
        free (want);
        s_graph_free (&g);
    }
    /* Read in superstep 0, before there is anything to read: named. */
    char yaml[8400];
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: %s\n  graph: %s/nd.txt\n  format: snap\n  directed: true\n"
              "  output: %s/early.out\n  params:\n    early: 1\n%s",
              plugin, dir, dir, s_setups[0]);
    const char *run[] = {zp_test_bin (), "run", zp_test_write (dir, "early.yaml", yaml), "--quiet",
                         NULL};
    zp_test_run_t r;
    zp_test_run (run, 120, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "zp_out_value_i64 at vertex ") &&
                   strstr (r.err, " in superstep 0: neighbours' values are there from superstep "
                                  "1 on"),
               "%s", r.err);
    zp_test_run_free (&r);
}

Test (programs, sssp_reads_weights_from_a_third_snap_column, .timeout = 60)
{
    /* The LDBC SSSP test graph's edge file is "source target weight": read
       as a SNAP edge list, SSSP gives the reference distances (for the
       vertices that have edges: a SNAP file knows no others). */
    char dir[4096], out[4300], yaml[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    snprintf (out, sizeof out, "%s/sssp.out", dir);
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: sssp\n  graph: %s\n  format: snap\n  output: %s\n"
              "  params:\n    source: 1\nworkers:\n  - name: w0\n  - name: w1\n",
              zp_test_path ("tests/data/ldbc/test-sssp-directed/test-sssp-directed.e"), out);
    const char *run[] = {zp_test_bin (), "run", zp_test_write (dir, "sssp.yaml", yaml), "--quiet",
                         NULL};
    zp_test_run_t r;
    zp_test_run (run, 60, &r);
    cr_assert_eq (r.status, 0, "%s", r.err);
    zp_test_run_free (&r);
    char *got = zp_test_read (out, NULL),
         *want = zp_test_read (
             zp_test_path ("tests/data/ldbc/test-sssp-directed/test-sssp-directed-SSSP"), NULL);
    cr_assert (got && want);
    /* The reference as id -> distance (ten vertices). */
    unsigned long long ids[64];
    double dist[64];
    size_t n_ref = 0;
    for (char *line = want; *line && n_ref < 64; n_ref++) {
        char value[64];
        cr_assert_eq (sscanf (line, "%llu %63s", &ids[n_ref], value), 2);
        dist[n_ref] = strcmp (value, "infinity") == 0 ? INFINITY : strtod (value, NULL);
        line = strchr (line, '\n') ? strchr (line, '\n') + 1 : line + strlen (line);
    }
    size_t checked = 0;
    for (char *line = got; *line; checked++) {
        unsigned long long id;
        char value[64];
        cr_assert_eq (sscanf (line, "%llu %63s", &id, value), 2);
        double d = strcmp (value, "infinity") == 0 ? INFINITY : strtod (value, NULL);
        size_t k = 0;
        while (k < n_ref && ids[k] != id)
            k++;
        cr_assert (k < n_ref && (d == dist[k] || fabs (d - dist[k]) <= 1e-9 * fabs (dist[k])),
                   "vertex %llu: %s, the reference says %g", id, value, k < n_ref ? dist[k] : -1);
        line = strchr (line, '\n') ? strchr (line, '\n') + 1 : line + strlen (line);
    }
    cr_assert_gt (checked, 5);
    free (got);
    free (want);
    /* Without the weight column, the line is named. */
    const char *bare = zp_test_write (dir, "bare.txt", "1 2\n2 3 1.5\n");
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: sssp\n  graph: %s\n  format: snap\n"
              "  params:\n    source: 1\nworkers:\n  - name: w0\n",
              bare);
    const char *bad[] = {zp_test_bin (), "run", zp_test_write (dir, "bare.yaml", yaml), NULL};
    zp_test_run (bad, 60, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "bare.txt:1") && strstr (r.err, "\"source target weight\""), "%s",
               r.err);
    zp_test_run_free (&r);
}

Test (programs, struct_messages_arrive_whole_merged_or_listed, .timeout = 300)
{
    /* tests/plugins/struct_messages.c: each vertex sends its out-neighbours
       {id, 1, tag} (20 bytes, padded on the wire) and keeps the sum of the
       ids and the count it received: the sum of its in-neighbours' ids and
       its in-degree, whether combine_message merged them or not. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    s_graph_t g;
    s_generate (&g, 1200, 7000, true, 5);
    char path[4200];
    snprintf (path, sizeof path, "%s", s_write_snap (dir, "struct.txt", &g));
    double *sum = calloc (g.n, sizeof *sum);
    long long *count = calloc (g.n, sizeof *count);
    for (size_t e = 0; e < g.m; e++) {
        sum[g.dst[e]] += (double) g.ids[g.src[e]];
        count[g.dst[e]]++;
    }
    const char *build =
        getenv ("ZPREGEL_BUILD") ? getenv ("ZPREGEL_BUILD") : zp_test_path ("build");
    const char *plugins[] = {"libzp_struct_messages.so", "libzp_struct_merged.so"};
    for (int p = 0; p < 2; p++) {
        char so[4300];
        snprintf (so, sizeof so, "%s/tests/%s", build, plugins[p]);
        for (int k = 0; k < 3; k++) {
            char *text = s_run (dir, so, path, true, k, "");
            size_t lines = 0;
            for (char *line = text; *line; lines++) {
                unsigned long long id;
                double s;
                long long c;
                cr_assert_eq (sscanf (line, "%llu %lf %lld", &id, &s, &c), 3, "%.60s", line);
                size_t v = s_index (id);
                cr_assert (v < g.n && s == sum[v] && c == count[v],
                           "%s, %s: vertex %llu got (%g, %lld), expected (%g, %lld)", plugins[p],
                           s_setup_names[k], id, s, c, v < g.n ? sum[v] : 0,
                           v < g.n ? count[v] : 0);
                line = strchr (line, '\n') ? strchr (line, '\n') + 1 : line + strlen (line);
            }
            cr_assert_gt (lines, g.n / 2);
            free (text);
        }
    }
    free (sum);
    free (count);
    s_graph_free (&g);
}

Test (programs, vertex_input_values_come_from_the_v_file, .timeout = 120)
{
    /* The Debian graph with a value after every id in its .v file (listed
       backwards, so the loader sorts them with their ids): each vertex ends
       with its value plus its in-neighbours', on every setup. */
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", zp_test_tmpdir ());
    char *ids = zp_test_read (zp_test_path ("data/debian-deps.v"), NULL);
    cr_assert_not_null (ids);
    size_t n = 0, cap = 1 << 17;
    unsigned long long *id = malloc (cap * sizeof *id);
    for (char *p = ids; *p && n < cap; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : p + strlen (p))
        id[n++] = strtoull (p, NULL, 10);
    free (ids);
    size_t size = n * 40 + 1, at = 0;
    char *text = malloc (size);
    for (size_t i = n; i-- > 0;)
        at += (size_t) snprintf (text + at, size - at, "%llu %.1f\n", id[i], (double) id[i] * 0.5);
    zp_test_write (dir, "valued.v", text);
    free (text);
    char *edges = zp_test_read (zp_test_path ("data/debian-deps.e"), NULL);
    zp_test_write (dir, "valued.e", edges);
    char props[1024];
    snprintf (props, sizeof props,
              "graph.valued.vertex-file = valued.v\ngraph.valued.edge-file = valued.e\n"
              "graph.valued.directed = true\n");
    char graph[4300];
    snprintf (graph, sizeof graph, "%s", zp_test_write (dir, "valued.properties", props));
    /* The answer: value(v) = id(v)/2 + the sum of id(u)/2 over arcs u -> v. */
    double *want = calloc (n, sizeof *want);
    for (size_t i = 0; i < n; i++)
        want[i] = (double) id[i] * 0.5;
    for (char *p = edges; *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : p + strlen (p)) {
        unsigned long long a, b;
        if (sscanf (p, "%llu %llu", &a, &b) != 2 || a == b)
            continue;
        size_t lo = 0, hi = n; /* the ids are sorted in the .v file */
        while (lo < hi && id[(lo + hi) / 2] != b)
            id[(lo + hi) / 2] < b ? (lo = (lo + hi) / 2 + 1) : (hi = (lo + hi) / 2);
        cr_assert (lo < hi);
        want[(lo + hi) / 2] += (double) a * 0.5;
    }
    free (edges);
    const char *build =
        getenv ("ZPREGEL_BUILD") ? getenv ("ZPREGEL_BUILD") : zp_test_path ("build");
    char so[4300];
    snprintf (so, sizeof so, "%s/tests/libzp_input_values.so", build);
    for (int k = 0; k < 3; k += 2) {
        char yaml[4096], name[64], out[4300];
        snprintf (name, sizeof name, "valued-%d.yaml", k);
        snprintf (out, sizeof out, "%s/valued-%d.out", dir, k);
        snprintf (yaml, sizeof yaml, "job:\n  algorithm: %s\n  graph: %s\n  output: %s\n%s", so,
                  graph, out, s_setups[k]);
        const char *run[] = {zp_test_bin (), "run", zp_test_write (dir, name, yaml), "--quiet",
                             NULL};
        zp_test_run_t r;
        zp_test_run (run, 120, &r);
        cr_assert_eq (r.status, 0, "%s: %s", s_setup_names[k], r.err);
        zp_test_run_free (&r);
        char *got = zp_test_read (out, NULL);
        size_t i = 0;
        for (char *p = got; *p; i++) {
            unsigned long long v;
            double value;
            cr_assert_eq (sscanf (p, "%llu %lf", &v, &value), 2);
            cr_assert (i < n && v == id[i] && value == want[i],
                       "vertex %llu: %.17g, expected %.17g", v, value, i < n ? want[i] : 0);
            p = strchr (p, '\n') ? strchr (p, '\n') + 1 : p + strlen (p);
        }
        cr_assert_eq (i, n);
        free (got);
    }
    free (want);
    free (id);
    /* Without values in the .v file, the line is named. */
    snprintf (
        props, sizeof props,
        "graph.bare.vertex-file = %s\ngraph.bare.edge-file = %s\ngraph.bare.directed = true\n",
        zp_test_path ("data/debian-deps.v"), zp_test_path ("data/debian-deps.e"));
    char yaml[4096];
    snprintf (yaml, sizeof yaml, "job:\n  algorithm: %s\n  graph: %s\nworkers:\n  - name: w\n", so,
              zp_test_write (dir, "bare.properties", props));
    const char *bad[] = {zp_test_bin (), "run", zp_test_write (dir, "bare.yaml", yaml), NULL};
    zp_test_run_t r;
    zp_test_run (bad, 60, &r);
    cr_assert_eq (r.status, 1, "%s", r.err);
    cr_assert (strstr (r.err, "debian-deps.v:1") && strstr (r.err, "\"id value\""), "%s", r.err);
    zp_test_run_free (&r);
}

/*  make bench-algorithms: each LDBC Graphalytics algorithm but PageRank
    (make bench has it) on a weighted Graph500 R-MAT graph, zpregel against
    a single-threaded loop of the same algorithm (bench/graphalytics_ref.c),
    measured in one run.

        bench_algorithms [--scale S] [--lcc-scale S] [--rounds R]
                         [--only bfs,wcc,...] [--data DIR] [--zpregel BIN] [--ref BIN]

    Generates rmatw-S (and rmatw-L for LCC, whose messages grow with the
    square of the degrees) once in DIR, then, per algorithm, R rounds: in
    each, every configuration right after a run of the loop, its ratio to
    that run (the two share the machine's mood). zpregel's compute is the
    sum of its supersteps' seconds (--stats), the loop's its loop; the
    whole run is each process's wall time (loading the .zpg, starting the
    nodes and shipping the partitions, computing, writing the output). Every output must equal the
   loop's (integers byte for byte, doubles within a relative 1e-9); exits 1 if one does not.
*/
#include "bench_util.h"

#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#define S_MAX_ROUNDS 16

typedef struct {
    const char *name;
    bool floats; /* outputs compared within 1e-9, not byte for byte */
    bool lcc_graph;
} s_algorithm_t;

static const s_algorithm_t s_algorithms[] = {
    {"bfs", false, false}, {"wcc", false, false}, {"cdlp", false, false},
    {"sssp", true, false}, {"lcc", true, true},
};
enum { S_ALGORITHMS = sizeof s_algorithms / sizeof s_algorithms[0] };

typedef struct {
    const char *name, *yaml; /* workers and engine, with up to two ports to fill in */
} s_config_t;

static const s_config_t s_configs[] = {
    {"2 inproc workers x 1 thread",
     "workers:\n  - name: w1\n  - name: w2\nengine:\n  threads: 1\n"},
    {"1 inproc worker x 2 threads", "workers:\n  - name: w1\nengine:\n  threads: 2\n"},
    {"2 tcp workers x 1 thread",
     "workers:\n  - name: w1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
     "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
     "engine:\n  threads: 1\n"},
};
enum { S_CONFIGS = sizeof s_configs / sizeof s_configs[0] };

typedef struct {
    int n;
    double compute[S_MAX_ROUNDS], wall[S_MAX_ROUNDS], ratio[S_MAX_ROUNDS];
    uint64_t messages, supersteps;
    long rss_kb;
    bool ok;
} s_row_t;

static double s_median_of (const double *v, int n)
{
    double copy[S_MAX_ROUNDS];
    memcpy (copy, v, (size_t) n * sizeof *v);
    return n ? s_median (copy, n) : 0;
}

/* A number after `key` in `text`, or 0. */
static double s_field (const char *text, const char *key)
{
    const char *p = text ? strstr (text, key) : NULL;
    return p ? strtod (p + strlen (key), NULL) : 0;
}

/* Runs argv with stdout to `out`: its wall seconds, -1 if it failed. */
static double s_timed (const char *const *argv, const char *out, long *rss_kb)
{
    int64_t t0 = zclock_usecs ();
    if (s_run (argv, out, rss_kb) != 0)
        return -1;
    return (double) (zclock_usecs () - t0) / 1e6;
}

/* Whether two outputs agree: the same bytes, or (floats) the same ids with
   values within a relative 1e-9 ("infinity" only with itself). */
static bool s_same (const char *a, const char *b, bool floats)
{
    char *x = s_read (a), *y = s_read (b);
    bool same = x && y && strcmp (x, y) == 0;
    if (!same && floats && x && y) {
        same = true;
        char *p = x, *q = y;
        while (same && *p && *q) {
            char *pe, *qe;
            same = strtoull (p, &pe, 10) == strtoull (q, &qe, 10);
            double u = strtod (pe, &pe), v = strtod (qe, &qe);
            same &= u == v || fabs (u - v) <= 1e-9 * fabs (u);
            p = strchr (pe, '\n');
            q = strchr (qe, '\n');
            if (!p || !q) {
                same &= !p && !q;
                break;
            }
            p++, q++;
        }
        same &= (p ? *p : 0) == (q ? *q : 0);
    }
    free (x);
    free (y);
    return same;
}

/* Generates DATA/rmatw-SCALE (weighted) unless it is there; the .zpg path. */
static int s_graph (const char *zpregel, const char *data, int scale, char *path, size_t len)
{
    char prefix[4200], s[16];
    snprintf (prefix, sizeof prefix, "%s/rmatw-%d", data, scale);
    snprintf (path, len, "%s.zpg", prefix);
    struct stat st;
    if (stat (path, &st) == 0)
        return 0;
    snprintf (s, sizeof s, "%d", scale);
    const char *gen[] = {zpregel, "gen", "rmat", "--scale", s, "--weights", "-o", prefix, NULL};
    long kb;
    if (s_run (gen, "/dev/null", &kb) != 0) {
        fprintf (stderr, "bench: cannot generate %s\n", prefix);
        return -1;
    }
    return 0;
}

/* The source vertex the generator chose (bfs.source-vertex). */
static uint64_t s_source (const char *zpg)
{
    char props[4200];
    snprintf (props, sizeof props, "%.*s.properties", (int) (strlen (zpg) - 4), zpg);
    char *text = s_read (props), *p = text ? strstr (text, "bfs.source-vertex = ") : NULL;
    uint64_t source = p ? strtoull (p + 20, NULL, 10) : 0;
    free (text);
    return source;
}

/* One zpregel run of algorithm `a` in configuration `c`; its output to
   `out`, its figures to a round of `r`. */
static int s_zpregel (const char *zpregel, const char *data, const char *graph, uint64_t source,
                      const s_algorithm_t *a, const s_config_t *c, int *port, const char *out,
                      s_row_t *r)
{
    char nodes[1024], params[128], yaml[4096], job[4200], stats[4200];
    snprintf (nodes, sizeof nodes, c->yaml, *port + 2, *port + 3);
    if (!strcmp (a->name, "bfs") || !strcmp (a->name, "sssp"))
        snprintf (params, sizeof params, "  params:\n    source: %" PRIu64 "\n", source);
    else if (!strcmp (a->name, "cdlp"))
        snprintf (params, sizeof params, "  params:\n    iterations: 10\n");
    else
        params[0] = 0;
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: %s\n  graph: %s\n  output: %s\n%s"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n%s",
              a->name, graph, out, params, *port, *port + 1, nodes);
    *port += 8;
    snprintf (job, sizeof job, "%s/bench-%s.yaml", data, a->name);
    snprintf (stats, sizeof stats, "%s/stats-%s.jsonl", data, a->name);
    FILE *f = fopen (job, "w");
    if (!f)
        return -1;
    fputs (yaml, f);
    fclose (f);
    const char *run[] = {zpregel, "run", job, "--stats", stats, "--quiet", NULL};
    long kb = 0;
    double wall = s_timed (run, "/dev/null", &kb);
    char *text = s_read (stats), *summary = text ? strstr (text, "{\"summary\":true") : NULL;
    if (wall < 0 || !summary) {
        free (text);
        return -1;
    }
    /* Compute: the supersteps' seconds (as the loop's clock, it leaves out
       what comes before the first: starting the nodes, shipping and
       building the partitions; the whole run has it). */
    double steps = 0;
    for (const char *p = strstr (text, "{\"step\":"); p && p < summary;
         p = strstr (p + 1, "{\"step\":"))
        steps += s_field (p, "\"seconds\":");
    r->compute[r->n] = steps;
    r->wall[r->n] = wall;
    r->messages = (uint64_t) s_field (summary, "\"messages\":");
    r->supersteps = (uint64_t) s_field (summary, "\"supersteps\":");
    r->rss_kb = kb > r->rss_kb ? kb : r->rss_kb;
    free (text);
    return 0;
}

/* One run of the loop; its figures to a round of `r`. */
static int s_reference (const char *ref, const char *data, const char *graph, uint64_t source,
                        const s_algorithm_t *a, const char *out, s_row_t *r)
{
    char json[4200], arg[32];
    snprintf (json, sizeof json, "%s/ref-%s.json", data, a->name);
    snprintf (arg, sizeof arg, "%" PRIu64, !strcmp (a->name, "cdlp") ? 10 : source);
    const char *argv[] = {ref, a->name, graph, out, arg, NULL};
    long kb = 0;
    double wall = s_timed (argv, json, &kb);
    char *text = s_read (json);
    if (wall < 0 || !text) {
        free (text);
        fprintf (stderr, "bench: the %s loop failed\n", a->name);
        return -1;
    }
    r->compute[r->n] = s_field (text, "\"compute_seconds\":");
    r->wall[r->n] = wall;
    r->rss_kb = kb > r->rss_kb ? kb : r->rss_kb;
    free (text);
    return 0;
}

int main (int argc, char **argv)
{
    static const struct option longopts[] = {
        {"scale", required_argument, NULL, 's'},  {"lcc-scale", required_argument, NULL, 'l'},
        {"rounds", required_argument, NULL, 'R'}, {"only", required_argument, NULL, 'o'},
        {"data", required_argument, NULL, 'd'},   {"zpregel", required_argument, NULL, 'z'},
        {"ref", required_argument, NULL, 'r'},    {NULL, 0, NULL, 0}};
    int scale = 20, lcc_scale = 16, rounds = 3, c;
    const char *data = "bench/data", *zpregel = "build/zpregel", *ref = "build/graphalytics_ref",
               *only = NULL;
    while ((c = getopt_long (argc, argv, "s:l:R:o:d:z:r:", longopts, NULL)) != -1) {
        if (c == 's')
            scale = atoi (optarg);
        else if (c == 'l')
            lcc_scale = atoi (optarg);
        else if (c == 'R')
            rounds = atoi (optarg);
        else if (c == 'o')
            only = optarg;
        else if (c == 'd')
            data = optarg;
        else if (c == 'z')
            zpregel = optarg;
        else if (c == 'r')
            ref = optarg;
        else
            return 2;
    }
    if (rounds < 1 || rounds > S_MAX_ROUNDS || scale < 1 || scale > 30 || lcc_scale < 1 ||
        lcc_scale > 30) {
        fprintf (stderr, "bench: --rounds 1 to %d, --scale and --lcc-scale 1 to 30\n",
                 S_MAX_ROUNDS);
        return 2;
    }
    char absdata[4096], graph[4300], lcc_graph[4300], out[4400], ref_out[4400];
    mkdir (data, 0755);
    if (!realpath (data, absdata)) {
        fprintf (stderr, "bench: %s: %s\n", data, strerror (errno));
        return 1;
    }
    data = absdata;
    if (s_graph (zpregel, data, scale, graph, sizeof graph) != 0 ||
        s_graph (zpregel, data, lcc_scale, lcc_graph, sizeof lcc_graph) != 0)
        return 1;
    int port = 24000 + (int) (getpid () % 1000) * 8;
    bool all_ok = true;
    s_row_t rows[S_ALGORITHMS][S_CONFIGS + 1]; /* [0]: the loop */
    memset (rows, 0, sizeof rows);
    for (size_t i = 0; i < S_ALGORITHMS; i++) {
        const s_algorithm_t *a = &s_algorithms[i];
        if (only && !strstr (only, a->name))
            continue;
        const char *g = a->lcc_graph ? lcc_graph : graph;
        uint64_t source = s_source (g);
        snprintf (ref_out, sizeof ref_out, "%s/ref-%s.txt", data, a->name);
        snprintf (out, sizeof out, "%s/out-%s.txt", data, a->name);
        s_row_t warm = {0};
        s_reference (ref, data, g, source, a, ref_out, &warm); /* the page cache */
        for (int round = 0; round < rounds; round++) {
            fprintf (stderr, "bench: %s, round %d of %d:", a->name, round + 1, rounds);
            for (size_t k = 0; k < S_CONFIGS; k++) {
                s_row_t *loop = &rows[i][0], *r = &rows[i][k + 1];
                if (s_reference (ref, data, g, source, a, ref_out, loop) != 0)
                    return 1;
                double loop_s = loop->compute[loop->n++];
                unlink (out);
                if (s_zpregel (zpregel, data, g, source, a, &s_configs[k], &port, out, r) != 0) {
                    fprintf (stderr, "\nbench: %s, %s failed\n", a->name, s_configs[k].name);
                    all_ok = false;
                    continue;
                }
                bool same = s_same (out, ref_out, a->floats);
                r->ok = r->n == 0 ? same : r->ok && same;
                all_ok &= same;
                r->ratio[r->n] = r->compute[r->n] / loop_s;
                fprintf (stderr, " %s %.3f s (loop %.3f s)%s", s_configs[k].name, r->compute[r->n],
                         loop_s, same ? "" : " OUTPUT DIFFERS");
                r->n++;
            }
            fprintf (stderr, "\n");
        }
    }
    printf ("R-MAT scale %d (LCC: scale %d), weights k/65536; %d rounds; in each, every "
            "configuration right after a run of the single-threaded loop, x loop the median of "
            "the ratios of compute to that run's (their range in brackets); compute: zpregel's "
            "supersteps, the loop's loop; whole run: the process's wall time (load the .zpg, "
            "start the nodes and ship the partitions, compute, write the output)\n\n",
            scale, lcc_scale, rounds);
    printf ("| algorithm | configuration | compute s | x loop | whole run s | whole / compute | "
            "supersteps | messages | peak RSS | output |\n");
    printf ("|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < S_ALGORITHMS; i++)
        for (size_t k = 0; k <= S_CONFIGS; k++) {
            s_row_t *r = &rows[i][k];
            if (!r->n)
                continue;
            double compute = s_median_of (r->compute, r->n), wall = s_median_of (r->wall, r->n);
            char ratio[64] = "1.00";
            if (k) {
                double lo = r->ratio[0], hi = r->ratio[0];
                for (int j = 1; j < r->n; j++) {
                    lo = r->ratio[j] < lo ? r->ratio[j] : lo;
                    hi = r->ratio[j] > hi ? r->ratio[j] : hi;
                }
                snprintf (ratio, sizeof ratio, "%.2f (%.2f-%.2f)", s_median_of (r->ratio, r->n), lo,
                          hi);
            }
            printf ("| %s | %s | %.3f | %s | %.3f | %.1f | %" PRIu64 " | %" PRIu64
                    " | %.0f MB | %s |\n",
                    s_algorithms[i].name, k ? s_configs[k - 1].name : "single-threaded loop",
                    compute, ratio, wall, compute > 0 ? wall / compute : 0.0, r->supersteps,
                    r->messages, r->rss_kb / 1024.0, k ? (r->ok ? "same" : "DIFFERS") : "-");
        }
    if (!all_ok)
        fprintf (stderr, "bench: an output differs from the loop's, or a run failed\n");
    return all_ok ? 0 : 1;
}

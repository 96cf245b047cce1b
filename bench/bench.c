/*  make bench: PageRank on a Graph500 R-MAT graph, zpregel against a
    single-threaded CSR loop, measured in one run.

        bench [--scale S] [--data DIR] [--zpregel BIN] [--ref BIN]

    Generates rmat-S once (kept in DIR), measures the text loader, runs the
    reference and each zpregel configuration as a child process (peak RSS
    from wait4, per-superstep times and traffic from --stats), checks every
    output against the reference (L1 distance < 1e-9), prints a table with
    ratios to the reference, and exits 1 if an output differs.
*/
#include "zpregel/zp_graph.h"

#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_ITERATIONS 10

typedef struct {
    const char *name;
    double load;       /* seconds */
    double iteration;  /* median seconds */
    uint64_t messages; /* between workers, per superstep (median superstep) */
    uint64_t bytes;    /* between workers, per superstep */
    long rss_kb;       /* peak of the largest process */
    double l1;         /* distance to the reference */
    bool ok;
} s_row_t;

/* Runs argv, stdout to `out`; returns the exit status and peak RSS (kB). */
static int s_run (const char *const *argv, const char *out, long *rss_kb)
{
    pid_t pid = fork ();
    if (pid == 0) {
        if (out && !freopen (out, "w", stdout))
            _exit (127);
        execv (argv[0], (char *const *) argv);
        _exit (127);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4 (pid, &status, 0, &ru) != pid)
        return -1;
    *rss_kb = ru.ru_maxrss;
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static int s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double s_median (double *v, int n)
{
    qsort (v, (size_t) n, sizeof *v, s_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *s_read (const char *path)
{
    FILE *f = fopen (path, "r");
    if (!f)
        return NULL;
    fseek (f, 0, SEEK_END);
    long size = ftell (f);
    fseek (f, 0, SEEK_SET);
    char *text = malloc ((size_t) size + 1);
    if (text && fread (text, 1, (size_t) size, f) != (size_t) size) {
        free (text);
        text = NULL;
    }
    if (text)
        text[size] = 0;
    fclose (f);
    return text;
}

/* Values of an "id value" output, by id (ids are 0..n-1 in R-MAT graphs). */
static double *s_values (const char *path, uint64_t n)
{
    char *text = s_read (path);
    double *v = calloc (n, sizeof *v);
    if (!text || !v) {
        free (text);
        free (v);
        return NULL;
    }
    for (char *p = text; *p;) {
        char *end;
        uint64_t id = strtoull (p, &end, 10);
        double x = strtod (end, &end);
        if (id < n)
            v[id] = x;
        p = strchr (end, '\n');
        if (!p)
            break;
        p++;
    }
    free (text);
    return v;
}

/* Reads a --stats file: median superstep seconds of supersteps 1..10, load
   seconds, and the traffic between workers of the median superstep. */
static void s_stats (const char *path, s_row_t *row)
{
    char *text = s_read (path);
    if (!text)
        return;
    double secs[64];
    int n = 0;
    uint64_t msgs[64] = {0}, bytes[64] = {0};
    int t = 0;
    for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        int step;
        double s;
        if (sscanf (line, "{\"step\":%d,\"seconds\":%lf", &step, &s) == 2 && step >= 1 &&
            step <= S_ITERATIONS && n < 64)
            secs[n++] = s;
        else if (strncmp (line, "{\"traffic\":true", 15) == 0 && t < 64) {
            /* Sum the pairs between different workers. */
            for (char *p = strstr (line, "[["); p && (p = strchr (p, '[')); p++) {
                unsigned i, j;
                uint64_t m, b;
                if (sscanf (p, "[%u,%u,%" SCNu64 ",%" SCNu64 "]", &i, &j, &m, &b) == 4 && i != j) {
                    msgs[t] += m;
                    bytes[t] += b;
                }
            }
            t++;
        } else if (strncmp (line, "{\"summary\":true", 15) == 0) {
            char *p = strstr (line, "\"load_seconds\":");
            if (p)
                row->load = strtod (p + 15, NULL);
        }
    }
    row->iteration = n ? s_median (secs, n) : 0;
    if (t > 1) {
        row->messages = msgs[1];
        row->bytes = bytes[1];
    }
    free (text);
}

static double s_l1 (const double *a, const double *b, uint64_t n)
{
    double d = 0;
    for (uint64_t i = 0; i < n; i++)
        d += fabs (a[i] - b[i]);
    return d;
}

int main (int argc, char **argv)
{
    static const struct option longopts[] = {{"scale", required_argument, NULL, 's'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"zpregel", required_argument, NULL, 'z'},
                                             {"ref", required_argument, NULL, 'r'},
                                             {NULL, 0, NULL, 0}};
    int scale = 20, c;
    const char *data = "bench/data", *zpregel = "build/zpregel", *ref = "build/pagerank_ref";
    while ((c = getopt_long (argc, argv, "s:d:z:r:", longopts, NULL)) != -1) {
        if (c == 's')
            scale = atoi (optarg);
        else if (c == 'd')
            data = optarg;
        else if (c == 'z')
            zpregel = optarg;
        else if (c == 'r')
            ref = optarg;
        else
            return 2;
    }
    char prefix[4096], path[4200], out[4200], absdata[4096];
    mkdir (data, 0755);
    /* Job files live in data/ and name paths relative to themselves: use absolute ones. */
    if (!realpath (data, absdata)) {
        fprintf (stderr, "bench: %s: %s\n", data, strerror (errno));
        return 1;
    }
    data = absdata;
    snprintf (prefix, sizeof prefix, "%s/rmat-%d", data, scale);
    snprintf (path, sizeof path, "%s.zpg", prefix);
    struct stat st;
    long rss;
    mkdir (data, 0755);
    if (stat (path, &st) != 0) {
        char s[16];
        snprintf (s, sizeof s, "%d", scale);
        const char *gen[] = {zpregel, "gen", "rmat", "--scale", s, "-o", prefix, NULL};
        if (s_run (gen, NULL, &rss) != 0) {
            fprintf (stderr, "bench: cannot generate %s\n", prefix);
            return 1;
        }
    }
    /* The text loader, in this process. */
    char props[4200], err[1024];
    snprintf (props, sizeof props, "%s.properties", prefix);
    int64_t t0 = zclock_usecs ();
    zp_graph_source_t src = {props, ZP_FORMAT_AUTO, 1, NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
    if (!g) {
        fprintf (stderr, "bench: %s\n", err);
        return 1;
    }
    double text_load = (double) (zclock_usecs () - t0) / 1e6;
    char vpath[4200], epath[4200];
    snprintf (vpath, sizeof vpath, "%s.v", prefix);
    snprintf (epath, sizeof epath, "%s.e", prefix);
    struct stat sv, se;
    stat (vpath, &sv);
    stat (epath, &se);
    double text_mb = (double) (sv.st_size + se.st_size) / 1e6;
    uint64_t n = g->n, m = g->m;
    zp_graph_destroy (&g);
    printf ("R-MAT scale %d: %" PRIu64 " vertices, %" PRIu64 " edges\n", scale, n, m);
    printf ("text load: %.0f MB in %.2f s = %.0f MB/s (Graphalytics .v + .e)\n\n", text_mb,
            text_load, text_mb / text_load);

    /* The reference. */
    s_row_t rows[8];
    int nrows = 0;
    char iters[8];
    snprintf (iters, sizeof iters, "%d", S_ITERATIONS);
    snprintf (out, sizeof out, "%s/out-ref.txt", data);
    char json[4200];
    snprintf (json, sizeof json, "%s/ref.json", data);
    const char *ref_argv[] = {ref, path, iters, out, NULL};
    s_row_t *r = &rows[nrows++];
    memset (r, 0, sizeof *r);
    r->name = "single-threaded CSR loop (reference)";
    if (s_run (ref_argv, json, &r->rss_kb) != 0) {
        fprintf (stderr, "bench: the reference failed\n");
        return 1;
    }
    char *text = s_read (json);
    double secs[S_ITERATIONS];
    int k = 0;
    char *p = text ? strstr (text, "[") : NULL;
    while (p && k < S_ITERATIONS && sscanf (p + 1, "%lf", &secs[k]) == 1) {
        k++;
        p = strchr (p + 1, ',');
    }
    sscanf (text ? text : "", "{\"load_seconds\":%lf", &r->load);
    r->iteration = k ? s_median (secs, k) : 0;
    r->ok = true;
    free (text);
    double *expect = s_values (out, n);

    /* The zpregel configurations. */
    struct {
        const char *name, *yaml;
    } configs[] = {
        {"zpregel, 1 inproc worker", "workers:\n  - name: w1\n"},
        {"zpregel, 2 inproc workers", "workers:\n  - name: w1\n  - name: w2\n"},
        {"zpregel, 2 tcp worker processes",
         "workers:\n  - name: w1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"},
        {"zpregel, 2 tcp workers + 1 router (load_balanced)",
         "workers:\n  - name: w1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "routing:\n  mode: load_balanced\n"},
        {"zpregel, 2 tcp workers, zstd on every link",
         "workers:\n  - name: w1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "compression:\n  mode: on\n  min_bytes: 0\n"},
    };
    int base = 23000 + (int) (getpid () % 1000) * 8;
    bool all_ok = true;
    uint64_t plain_bytes = 0;
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        r = &rows[nrows++];
        memset (r, 0, sizeof *r);
        r->name = configs[i].name;
        char yaml[4096], nodes[2048], job[4200], stats[4200];
        snprintf (nodes, sizeof nodes, configs[i].yaml, base + 2, base + 3, base + 4);
        snprintf (out, sizeof out, "%s/out-%zu.txt", data, i);
        snprintf (yaml, sizeof yaml,
                  "job:\n  algorithm: pr\n  graph: %s\n  output: %s\n  params:\n"
                  "    iterations: %d\n    damping: 0.85\n"
                  "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n%s",
                  path, out, S_ITERATIONS, base, base + 1, nodes);
        base += 8;
        snprintf (job, sizeof job, "%s/bench-%zu.yaml", data, i);
        snprintf (stats, sizeof stats, "%s/stats-%zu.jsonl", data, i);
        FILE *f = fopen (job, "w");
        fputs (yaml, f);
        fclose (f);
        const char *run[] = {zpregel, "run", job, "--stats", stats, "--quiet", NULL};
        if (s_run (run, NULL, &r->rss_kb) != 0) {
            fprintf (stderr, "bench: %s failed\n", r->name);
            all_ok = false;
            continue;
        }
        s_stats (stats, r);
        double *got = s_values (out, n);
        r->l1 = got && expect ? s_l1 (got, expect, n) : INFINITY;
        r->ok = r->l1 < 1e-9;
        all_ok &= r->ok;
        free (got);
        if (i == 2)
            plain_bytes = r->bytes;
        if (i == 4 && r->bytes)
            printf ("zstd on the 2-worker tcp links: %.2fx smaller (%" PRIu64 " B -> %" PRIu64
                    " B per superstep)\n\n",
                    (double) plain_bytes / (double) r->bytes, plain_bytes, r->bytes);
    }
    free (expect);
    double ref_it = rows[0].iteration;
    printf ("| configuration | load s | iteration ms | x reference | edges/s | messages between "
            "workers | bytes between workers | peak RSS | B/edge | L1 to reference |\n");
    printf ("|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nrows; i++) {
        r = &rows[i];
        printf ("| %s | %.2f | %.1f | %.2f | %.2e | %" PRIu64 " | %" PRIu64
                " | %.0f MB | %.1f | %s%.1e |\n",
                r->name, r->load, r->iteration * 1e3, r->iteration / ref_it,
                (double) m / r->iteration, r->messages, r->bytes, r->rss_kb / 1024.0,
                r->rss_kb * 1024.0 / (double) m, r->ok ? "" : "FAIL ", i ? r->l1 : 0.0);
    }
    if (!all_ok)
        fprintf (stderr, "bench: an output differs from the reference\n");
    return all_ok ? 0 : 1;
}

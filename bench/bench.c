/*  make bench: PageRank on a Graph500 R-MAT graph, zpregel against a
    single-threaded CSR loop, measured in one run.

        bench [--scale S] [--rounds R] [--data DIR] [--zpregel BIN] [--ref BIN]

    Generates rmat-S once (kept in DIR), measures the text loader, then runs
    R rounds (5 by default): in each, each main zpregel configuration and
    the same loop pulling over in-edges, each right after a run of the
    reference, as child processes (peak RSS from wait4,
    per-superstep times and traffic from --stats); the extra configurations
    run in the first round only. Checks every output against the reference
    (L1 distance < 1e-9), prints a table of medians over the rounds with the
    median of the ratios to the run of the reference just before, and exits
    1 if an output differs.
*/
#include "bench_util.h"
#include "zp_graph.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
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
/* The compute threads of each worker, set in every configuration. */
#define S_THREADS(n)       "engine:\n  threads: " #n "\n"
#define S_STALL_MS         3000
#define S_STALL_ITERATIONS 40

#define S_MAX_ROUNDS 32
/* The reference runs before every measurement: up to this many a round. */
#define S_MAX_RUNS (S_MAX_ROUNDS * 16)

typedef struct {
    const char *name;
    double load;               /* seconds */
    double rounds[S_MAX_RUNS]; /* each run's median superstep seconds */
    double totals[S_MAX_RUNS]; /* each run's seconds over all its supersteps or iterations */
    double ratios[S_MAX_RUNS]; /* each run's to the reference's run just before it */
    int n_rounds;
    double iteration; /* median over rounds */
    double total;     /* median over rounds */
    double ratio, ratio_lo, ratio_hi;
    uint64_t messages; /* between workers, per superstep (median superstep) */
    uint64_t bytes;    /* between workers, per superstep */
    long rss_kb;       /* peak of the largest process */
    double l1;         /* distance to the reference */
    bool ok;
} s_row_t;

/* The pid of a process whose command line has both needles, or 0. */
static pid_t s_find (const char *a, const char *b)
{
    DIR *d = opendir ("/proc");
    struct dirent *e;
    pid_t found = 0;
    while (d && !found && (e = readdir (d))) {
        char path[300], cmd[8192];
        pid_t pid = (pid_t) atoi (e->d_name);
        if (pid <= 0)
            continue;
        snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
        FILE *f = fopen (path, "rb");
        size_t len = f ? fread (cmd, 1, sizeof cmd - 1, f) : 0;
        if (f)
            fclose (f);
        for (size_t i = 0; i < len; i++)
            cmd[i] = cmd[i] ? cmd[i] : ' ';
        cmd[len] = 0;
        if (strstr (cmd, a) && strstr (cmd, b))
            found = pid;
    }
    if (d)
        closedir (d);
    return found;
}

/* A process's peak resident memory so far (VmHWM), in kB; 0 if unknown. */
static long s_hwm_kb (pid_t pid)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *f = fopen (path, "r");
    long kb = 0;
    while (f && fgets (line, sizeof line, f))
        if (sscanf (line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose (f);
    return kb;
}

/* Runs a job of two tcp worker processes, w1 and w2, and follows w1's
   peak memory; with stall_ms, stops w2 (SIGSTOP) that long once the stats
   file shows superstep 2 done, so w1's batches to it pile up against the
   link's high-water mark. The exit status (-1 also if the stall did not
   happen: the job ended first); w1's peak in *sender_kb. */
static int s_run_stalled (const char *const *argv, const char *job, const char *stats, int stall_ms,
                          long *sender_kb)
{
    pid_t pid = fork ();
    if (pid == 0) {
        execv (argv[0], (char *const *) argv);
        _exit (127);
    }
    if (pid < 0)
        return -1;
    pid_t sender = 0, victim = 0;
    bool stalled = stall_ms == 0;
    int status = -1;
    *sender_kb = 0;
    while (waitpid (pid, &status, WNOHANG) == 0) {
        if (!sender)
            sender = s_find (job, "--name w1");
        long kb = sender ? s_hwm_kb (sender) : 0;
        *sender_kb = kb > *sender_kb ? kb : *sender_kb;
        if (!stalled) {
            char *text = s_read (stats);
            if (text && strstr (text, "{\"step\":2,") && (victim = s_find (job, "--name w2"))) {
                kill (victim, SIGSTOP);
                for (int t = 0; t < stall_ms; t += 20) {
                    zclock_sleep (20);
                    kb = sender ? s_hwm_kb (sender) : 0;
                    *sender_kb = kb > *sender_kb ? kb : *sender_kb;
                }
                kill (victim, SIGCONT);
                stalled = true;
            }
            free (text);
        }
        zclock_sleep (20);
    }
    if (!stalled)
        fprintf (stderr, "bench: the job ended before its receiver could be stopped\n");
    return WIFEXITED (status) && stalled ? WEXITSTATUS (status) : -1;
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

/* Reads a --stats file: median superstep seconds of supersteps 1..10, the
   seconds of all supersteps (the first builds what the job needs, such as
   the pull index), load seconds, and the traffic between workers of the
   median superstep. */
static void s_stats (const char *path, s_row_t *row)
{
    char *text = s_read (path);
    if (!text)
        return;
    double secs[64], total = 0;
    int n = 0;
    uint64_t msgs[64] = {0}, bytes[64] = {0};
    int t = 0;
    for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        int step;
        double s;
        if (sscanf (line, "{\"step\":%d,\"seconds\":%lf", &step, &s) == 2) {
            total += s;
            if (step >= 1 && step <= S_ITERATIONS && n < 64)
                secs[n++] = s;
        } else if (strncmp (line, "{\"traffic\":true", 15) == 0 && t < 64) {
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
    row->totals[row->n_rounds] = total;
    row->rounds[row->n_rounds++] = n ? s_median (secs, n) : 0;
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

/* A zpregel configuration: its name, its workers (and engine) as YAML
   with up to three ports to fill in. */
typedef struct {
    const char *name, *yaml;
    bool every_round, text; /* text: from the Graphalytics files, not the .zpg */
} s_config_t;

/* Runs PageRank on `graph` with configuration `c` (number i names its
   files in DATA; ports from *base on): its output to `out`, a round of
   superstep times and traffic and its peak RSS to `r`. */
static int s_zpregel (const char *zpregel, const char *data, const char *graph, size_t i,
                      const s_config_t *c, int *base, char *out, size_t outlen, s_row_t *r)
{
    char yaml[4096], nodes[2048], job[4200], stats[4200];
    snprintf (nodes, sizeof nodes, c->yaml, *base + 2, *base + 3, *base + 4);
    snprintf (out, outlen, "%s/out-%zu.txt", data, i);
    snprintf (yaml, sizeof yaml,
              "job:\n  algorithm: pr\n  graph: %s\n  output: %s\n  params:\n"
              "    iterations: %d\n    damping: 0.85\n"
              "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: "
              "tcp://127.0.0.1:%d\n%s",
              graph, out, S_ITERATIONS, *base, *base + 1, nodes);
    *base += 8;
    snprintf (job, sizeof job, "%s/bench-%zu.yaml", data, i);
    snprintf (stats, sizeof stats, "%s/stats-%zu.jsonl", data, i);
    FILE *f = fopen (job, "w");
    if (!f)
        return -1;
    fputs (yaml, f);
    fclose (f);
    const char *run[] = {zpregel, "run", job, "--stats", stats, "--quiet", NULL};
    long kb = 0;
    if (s_run (run, NULL, &kb) != 0)
        return -1;
    r->rss_kb = kb > r->rss_kb ? kb : r->rss_kb;
    s_stats (stats, r);
    return 0;
}

/* Runs the loop `mode` (push or pull) once: its iteration times go to
   DATA/ref.json, its output to `out`, and the median to a round of `r`. */
static int s_reference (const char *ref, const char *path, const char *iters, const char *out,
                        const char *data, const char *mode, s_row_t *r)
{
    char json[4200];
    snprintf (json, sizeof json, "%s/ref.json", data);
    const char *ref_argv[] = {ref, path, iters, out, mode, NULL};
    long kb = 0;
    if (s_run (ref_argv, json, &kb) != 0) {
        fprintf (stderr, "bench: the %s loop failed\n", mode);
        return -1;
    }
    r->rss_kb = kb > r->rss_kb ? kb : r->rss_kb;
    char *text = s_read (json);
    double secs[S_ITERATIONS];
    int k = 0;
    char *p = text ? strstr (text, "[") : NULL;
    double total = 0;
    while (p && k < S_ITERATIONS && sscanf (p + 1, "%lf", &secs[k]) == 1) {
        total += secs[k++];
        p = strchr (p + 1, ',');
    }
    r->totals[r->n_rounds] = total;
    sscanf (text ? text : "", "{\"load_seconds\":%lf", &r->load);
    r->rounds[r->n_rounds++] = k ? s_median (secs, k) : 0;
    r->ok = true;
    free (text);
    return 0;
}

/* Compares the output `out` with the reference's values. */
static void s_check (s_row_t *r, const char *out, const double *expect, uint64_t n, bool *all_ok)
{
    double *got = s_values (out, n);
    double l1 = got && expect ? s_l1 (got, expect, n) : INFINITY;
    r->l1 = l1 > r->l1 ? l1 : r->l1;
    r->ok = r->n_rounds == 1 ? l1 < 1e-9 : r->ok && l1 < 1e-9;
    *all_ok &= l1 < 1e-9;
    free (got);
}

int main (int argc, char **argv)
{
    static const struct option longopts[] = {
        {"scale", required_argument, NULL, 's'},   {"data", required_argument, NULL, 'd'},
        {"zpregel", required_argument, NULL, 'z'}, {"ref", required_argument, NULL, 'r'},
        {"rounds", required_argument, NULL, 'R'},  {NULL, 0, NULL, 0}};
    int scale = 20, rounds = 5, c;
    const char *data = "bench/data", *zpregel = "build/zpregel", *ref = "build/pagerank_ref";
    while ((c = getopt_long (argc, argv, "s:d:z:r:R:", longopts, NULL)) != -1) {
        if (c == 's')
            scale = atoi (optarg);
        else if (c == 'd')
            data = optarg;
        else if (c == 'z')
            zpregel = optarg;
        else if (c == 'r')
            ref = optarg;
        else if (c == 'R')
            rounds = atoi (optarg);
        else
            return 2;
    }
    if (rounds < 1 || rounds > S_MAX_ROUNDS) {
        fprintf (stderr, "bench: --rounds: 1 to %d\n", S_MAX_ROUNDS);
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
    zp_graph_source_t src = {props, ZP_FORMAT_AUTO, 1, NULL, false, 0, NULL};
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

    /* Rounds: the reference and each main configuration in turn, every
       round, so that they share the machine's moods; the extras once. */
    const s_config_t configs[] = {
        {"zpregel, 2 inproc workers x 1 thread",
         "workers:\n  - name: w1\n  - name: w2\n" S_THREADS (1), true, false},
        {"zpregel, 2 tcp worker processes x 1 thread",
         "workers:\n  - name: w1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n" S_THREADS (1),
         true, false},
        {"zpregel, 1 inproc worker x 1 thread", "workers:\n  - name: w1\n" S_THREADS (1), true,
         false},
        {"zpregel, 1 tcp worker process x 2 threads",
         "workers:\n  - name: w1\n    transport: tcp\n    endpoint: "
         "tcp://127.0.0.1:%d\n" S_THREADS (2),
         true, false},
        {"zpregel, 2 tcp workers + 1 router (load_balanced)",
         "workers:\n  - name: w1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "routers:\n  - name: r1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "routing:\n  mode: load_balanced\n" S_THREADS (1),
         false, false},
        {"zpregel, 2 tcp workers, zstd on every link",
         "workers:\n  - name: w1\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "  - name: w2\n    transport: tcp\n    endpoint: tcp://127.0.0.1:%d\n"
         "compression:\n  mode: on\n  min_bytes: 0\n" S_THREADS (1),
         false, false},
        {"zpregel, 2 inproc workers x 1 thread, from the text files",
         "workers:\n  - name: w1\n  - name: w2\n" S_THREADS (1), false, true},
    };
    enum { S_CONFIGS = sizeof configs / sizeof configs[0] };
    s_row_t rows[S_CONFIGS + 2]; /* the reference, the configurations, the pull loop */
    memset (rows, 0, sizeof rows);
    rows[0].name = "single-threaded CSR loop (reference)";
    for (size_t i = 0; i < S_CONFIGS; i++)
        rows[i + 1].name = configs[i].name;
    rows[S_CONFIGS + 1].name = "single-threaded CSR pull loop (in-edges)";
    char iters[8];
    snprintf (iters, sizeof iters, "%d", S_ITERATIONS);
    double *expect = NULL;
    int base = 23000 + (int) (getpid () % 1000) * 8;
    bool all_ok = true;
    /* A first run of the reference, not counted: the first run after the
       graph was generated or loaded pays for the page cache. */
    {
        snprintf (out, sizeof out, "%s/out-ref.txt", data);
        const char *warm[] = {ref, path, iters, out, NULL};
        long kb;
        s_run (warm, "/dev/null", &kb);
    }
    for (int round = 0; round < rounds; round++) {
        fprintf (stderr, "bench: round %d of %d:", round + 1, rounds);
        /* Each measurement comes right after a run of the reference, and
           its ratio is to that run: the two share the machine's mood,
           which on a shared host can change the reference's time 2x from
           one minute to the next. i == S_CONFIGS is the pull loop. */
        for (size_t i = 0; i <= S_CONFIGS; i++) {
            if (i < S_CONFIGS && !configs[i].every_round && round > 0)
                continue;
            s_row_t *r = &rows[0];
            snprintf (out, sizeof out, "%s/out-ref.txt", data);
            if (s_reference (ref, path, iters, out, data, "push", r) != 0)
                return 1;
            if (!expect)
                expect = s_values (out, n);
            double ref_it = r->rounds[r->n_rounds - 1];
            r = &rows[i + 1];
            if (i == S_CONFIGS) {
                snprintf (out, sizeof out, "%s/out-pull.txt", data);
                if (s_reference (ref, path, iters, out, data, "pull", r) != 0)
                    return 1;
            } else if (s_zpregel (zpregel, data, configs[i].text ? props : path, i, &configs[i],
                                  &base, out, sizeof out, r) != 0) {
                fprintf (stderr, "\nbench: %s failed\n", r->name);
                all_ok = false;
                continue;
            }
            r->ratios[r->n_rounds - 1] = r->rounds[r->n_rounds - 1] / ref_it;
            fprintf (stderr, "%s %s %.1f ms (reference %.1f)", i ? "," : "",
                     i == S_CONFIGS ? "pull loop" : r->name + 9, r->rounds[r->n_rounds - 1] * 1e3,
                     ref_it * 1e3);
            s_check (r, out, expect, n, &all_ok);
        }
        fprintf (stderr, "\n");
    }
    if (rows[6].bytes && rows[2].bytes)
        printf ("zstd on the 2-worker tcp links: %.2fx smaller (%" PRIu64 " B -> %" PRIu64
                " B per superstep)\n\n",
                (double) rows[2].bytes / (double) rows[6].bytes, rows[2].bytes, rows[6].bytes);
    /* Back-pressure: the memory of a sender whose receiver stops. Batches
       of 1 KiB make a link's queue (at most 1,000 batches) smaller than
       what a superstep sends on it, so the sender does wait for room. */
    long calm_kb = 0, stalled_kb = 0;
    double seconds[2] = {0, 0};
    bool same = false;
    {
        char yaml[4096], job[4200], stats[4200], out_calm[4200], out_stalled[4200];
        for (int stalled = 0; stalled < 2; stalled++) {
            char *o = stalled ? out_stalled : out_calm;
            snprintf (o, 4200, "%s/out-stall-%d.txt", data, stalled);
            snprintf (yaml, sizeof yaml,
                      "job:\n  algorithm: pr\n  graph: %s\n  output: %s\n  params:\n"
                      "    iterations: %d\n    damping: 0.85\n"
                      "master:\n  control: tcp://127.0.0.1:%d\n  broadcast: tcp://127.0.0.1:%d\n"
                      "workers:\n  - name: w1\n    transport: tcp\n    endpoint: "
                      "tcp://127.0.0.1:%d\n  - name: w2\n    transport: tcp\n    endpoint: "
                      "tcp://127.0.0.1:%d\nreliability:\n  heartbeat_ms: 1000\n  liveness: 10\n"
                      "engine:\n  batch_bytes: 1KiB\n",
                      path, o, S_STALL_ITERATIONS, base, base + 1, base + 2, base + 3);
            base += 8;
            snprintf (job, sizeof job, "%s/bench-stall-%d.yaml", data, stalled);
            snprintf (stats, sizeof stats, "%s/stats-stall-%d.jsonl", data, stalled);
            unlink (stats);
            FILE *f = fopen (job, "w");
            fputs (yaml, f);
            fclose (f);
            const char *run[] = {zpregel, "run", job, "--stats", stats, "--quiet", NULL};
            int64_t start = zclock_usecs ();
            if (s_run_stalled (run, job, stats, stalled ? S_STALL_MS : 0,
                               stalled ? &stalled_kb : &calm_kb) != 0) {
                fprintf (stderr, "bench: the back-pressure run failed\n");
                all_ok = false;
            }
            seconds[stalled] = (double) (zclock_usecs () - start) / 1e6;
        }
        char *a = s_read (out_calm), *b = s_read (out_stalled);
        same = a && b && strcmp (a, b) == 0;
        all_ok &= same;
        free (a);
        free (b);
    }
    printf ("back-pressure (1 KiB batches): worker w1's peak RSS %.0f MB in %.1f s; with w2 "
            "stopped for %.1f s mid-job %.0f MB (%.2fx) in %.1f s; output %s\n\n",
            calm_kb / 1024.0, seconds[0], S_STALL_MS / 1000.0, stalled_kb / 1024.0,
            calm_kb ? (double) stalled_kb / (double) calm_kb : 0.0, seconds[1],
            same ? "byte-identical" : "DIFFERS");
    free (expect);
    int nrows = S_CONFIGS + 2;
    for (int i = 0; i < nrows; i++) {
        s_row_t *r = &rows[i];
        double copy[S_MAX_RUNS];
        memcpy (copy, r->rounds, sizeof copy);
        r->iteration = r->n_rounds ? s_median (copy, r->n_rounds) : 0;
        memcpy (copy, r->totals, sizeof copy);
        r->total = r->n_rounds ? s_median (copy, r->n_rounds) : 0;
        if (i > 0 && r->n_rounds) {
            memcpy (copy, r->ratios, sizeof copy);
            r->ratio = s_median (copy, r->n_rounds);
            r->ratio_lo = r->ratio_hi = r->ratios[0];
            for (int k = 1; k < r->n_rounds; k++) {
                r->ratio_lo = r->ratios[k] < r->ratio_lo ? r->ratios[k] : r->ratio_lo;
                r->ratio_hi = r->ratios[k] > r->ratio_hi ? r->ratios[k] : r->ratio_hi;
            }
        }
    }
    printf ("%d rounds; in each, every configuration right after a run of the reference (the "
            "reference's rounds are its runs); a run's figure is the median of supersteps 1-%d, "
            "the table's the median over rounds; x reference is the median of the ratios to the "
            "run of the reference just before (their range in brackets); whole run is the median "
            "of the runs' seconds over every superstep (zpregel: 0-%d, the first building what "
            "the job needs) or iteration (the loop)\n\n",
            rounds, S_ITERATIONS, S_ITERATIONS);
    printf ("| configuration | rounds | iteration ms | x reference | whole run ms | edges/s | "
            "messages between workers | bytes between workers | peak RSS | B/edge | L1 to "
            "reference |\n");
    printf ("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nrows; i++) {
        s_row_t *r = &rows[i];
        char ratio[64];
        if (i == 0)
            snprintf (ratio, sizeof ratio, "1.00");
        else if (r->n_rounds > 1)
            snprintf (ratio, sizeof ratio, "%.2f (%.2f-%.2f)", r->ratio, r->ratio_lo, r->ratio_hi);
        else /* one round: to its own run of the reference */
            snprintf (ratio, sizeof ratio, "%.2f", r->ratios[0]);
        printf ("| %s | %d | %.1f | %s | %.0f | %.2e | %" PRIu64 " | %" PRIu64
                " | %.0f MB | %.1f | %s%.1e |\n",
                r->name, r->n_rounds, r->iteration * 1e3, ratio, r->total * 1e3,
                r->iteration ? (double) m / r->iteration : 0.0, r->messages, r->bytes,
                r->rss_kb / 1024.0, r->rss_kb * 1024.0 / (double) m, r->ok ? "" : "FAIL ",
                i ? r->l1 : 0.0);
    }
    if (!all_ok)
        fprintf (stderr, "bench: an output differs from the reference\n");
    return all_ok ? 0 : 1;
}

/*  zpregel run and zpregel master: a whole job from one YAML file, its
    progress line, its summary and its --stats file. */
#include "zp_cli.h"

static void s_usage_run (FILE *out, const char *cmd)
{
    fprintf (out,
             "usage: zpregel %s JOB.yaml [--set key.path=value]... [--stats FILE] [--quiet]\n"
             "       %*s [--history DIR] [--resume]\n"
             "       zpregel %s --algorithm NAME --graph FILE [--workers N] [--threads T]\n"
             "       %*s [--output FILE] [--param NAME=VALUE]... [--stats FILE] [--quiet]\n\n",
             cmd, (int) (strlen (cmd) + 7), "", cmd, (int) (strlen (cmd) + 7), "");
    if (streq (cmd, "run"))
        fprintf (out,
                 "Runs the job described by JOB.yaml: loads the graph, starts the master and\n"
                 "the inproc workers, starts the tcp workers of this host as processes (and\n"
                 "waits for those of other hosts), runs supersteps until every vertex has\n"
                 "halted, and writes job.output. If a node it started dies, it starts every\n"
                 "node again from the last checkpoint (reliability.checkpoint_every), up to\n"
                 "reliability.max_recoveries times. Without JOB.yaml, --algorithm and --graph\n"
                 "make the job: N in-process workers of this process.\n\n");
    else
        fprintf (out, "Like run, but starts no worker process: every tcp worker is started on its\n"
                      "host with 'zpregel launch' or 'zpregel worker'.\n\n");
    fprintf (
        out,
        "  -a, --algorithm NAME job.algorithm: pr, bfs, wcc, cdlp, lcc, sssp, ... or a plugin\n"
        "                       (zpregel programs lists them)\n"
        "  -g, --graph FILE     job.graph: a .properties file, an edge list, a .zpg\n"
        "  -w, --workers N      without JOB.yaml: N in-process workers (default 1)\n"
        "  -t, --threads T      engine.threads: compute threads a worker\n"
        "  -o, --output FILE    job.output: one line per vertex, \"id value\"\n"
        "  -p, --param K=V      job.params.K (e.g. iterations=20, source=1); may be repeated\n"
        "  -s, --set KEY=VALUE  override a key of the YAML file (e.g. job.params.iterations=20,\n"
        "                       workers[1].weight=2); an index one past a list's end adds an\n"
        "                       item (workers[2].name=w3 on two workers); may be repeated\n"
        "      --unset KEY      remove a key or a list item (job.params, workers[1])\n"
        "      --stats FILE     write one JSON object per superstep, and a summary, to FILE\n"
        "      --history DIR    master.history: keep the job's record (its status page, its\n"
        "                       supersteps, its summary) in DIR, for 'zpregel serve DIR'\n"
        "      --resume         continue from the newest complete checkpoint in\n"
        "                       reliability.checkpoint_dir (after the master died)\n"
        "  -q, --quiet          no progress and no summary\n"
        "  -h, --help           this help\n");
}

/* The overrides of a run and how each was given: --set and --unset as
   they are, --algorithm and the like as the keys they set, named by their
   flag in errors (zp_config_load_flags). */
typedef struct {
    const char **sets;
    const char **labels;
    char **owned; /* strings made here, freed with the rest */
    size_t n, n_owned;
} s_overrides_t;

static void s_add (s_overrides_t *o, const char *set, const char *label)
{
    o->sets[o->n] = set;
    o->labels[o->n++] = label;
}

/* Adds "key=value", given as "flag given". */
static void s_add_flag (s_overrides_t *o, const char *key, const char *value, const char *flag,
                        const char *given)
{
    char *set = zsys_sprintf ("%s=%s", key, value), *label = zsys_sprintf ("%s %s", flag, given);
    o->owned[o->n_owned++] = set;
    o->owned[o->n_owned++] = label;
    s_add (o, set, label);
}

static void s_overrides_free (s_overrides_t *o)
{
    for (size_t i = 0; i < o->n_owned; i++)
        zstr_free (&o->owned[i]);
    free (o->owned);
    free (o->sets);
    free (o->labels);
}

typedef struct {
    bool tty;
    bool quiet;
    FILE *stats;
    int64_t started;
    double step_seconds; /* the supersteps' times, summed */
    uint64_t steps;      /* supersteps reported */
} s_progress_t;

static void s_human_bytes (uint64_t bytes, char *buf, size_t len)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double) bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf (buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void s_on_step (void *ctx, const zp_step_report_t *r)
{
    s_progress_t *p = ctx;
    double elapsed = (double) (zclock_usecs () - p->started) / 1e6;
    if (p->stats)
        zp_stats_write_step (p->stats, r);
    p->step_seconds += r->seconds;
    p->steps++;
    if (p->quiet)
        return;
    char bytes[32], left[96] = "";
    s_human_bytes (r->bytes, bytes, sizeof bytes);
    /* A known end: how far, and the time left at the mean superstep's pace. */
    if (r->planned > r->step + 1) {
        double secs = p->step_seconds / (double) p->steps * (double) (r->planned - r->step - 1);
        if (p->tty)
            snprintf (left, sizeof left, " of %u  %.1fs left", r->planned, secs);
        else
            snprintf (left, sizeof left, "; %u of %u done, about %.1fs left", r->step + 1,
                      r->planned, secs);
    }
    if (p->tty)
        fprintf (stderr,
                 "\r\033[Ksuperstep %u%s  active %" PRIu64 "  messages %" PRIu64
                 "  bytes %s  elapsed %.2fs",
                 r->step, left, r->active, r->messages, bytes, elapsed);
    else
        fprintf (stderr,
                 "superstep %u: active %" PRIu64 ", messages %" PRIu64 ", bytes %s, %.4fs, "
                 "elapsed %.2fs, slowest %s (%.4fs computing)%s\n",
                 r->step, r->active, r->messages, bytes, r->seconds, elapsed, r->slowest,
                 r->compute_seconds, left);
    fflush (stderr);
}

/* The label of `id` in an "id name" file, or NULL (caller frees). */
static char *s_label (const char *path, uint64_t id)
{
    FILE *f = path ? fopen (path, "r") : NULL;
    if (!f)
        return NULL;
    char line[512], *found = NULL;
    while (!found && fgets (line, sizeof line, f)) {
        char *end;
        unsigned long long v = strtoull (line, &end, 10);
        if (end != line && v == id && *end == ' ') {
            end[strcspn (end, "\r\n")] = 0;
            found = strdup (end + 1);
        }
    }
    fclose (f);
    return found;
}

static void s_print_summary (const zp_config_t *cfg, const zp_job_summary_t *s)
{
    char bytes[32];
    s_human_bytes (s->bytes, bytes, sizeof bytes);
    printf ("zpregel: %s on %s\n", s->program, cfg->graph);
    printf ("  graph     %" PRIu64 " vertices, %" PRIu64 " edges, %s", s->vertices, s->edges,
            s->directed ? "directed" : "undirected");
    if (s->dropped_self_loops || s->dropped_duplicates)
        printf (" (dropped %" PRIu64 " self-loops, %" PRIu64 " repeated edges)",
                s->dropped_self_loops, s->dropped_duplicates);
    printf ("\n");
    printf ("  workers   %u, imbalance max/mean: vertices %.2f, edges %.2f\n", s->n_workers,
            s->imbalance_vertices, s->imbalance_edges);
    printf ("  load      %.3f s\n", s->load_seconds);
    printf ("  compute   %.3f s: %u supersteps, %" PRIu64
            " messages, %s between workers in %" PRIu64 " batches\n",
            s->compute_seconds, s->supersteps, s->messages, bytes, s->batches);
    if (s->mirrored)
        printf ("  mirrors   %" PRIu64 " neighbours' values sent to the workers that read them\n",
                s->mirrored);
    if (s->resumed_step)
        printf ("  resumed   from the checkpoint of superstep %u: counts are of supersteps "
                "%u to %u\n",
                s->resumed_step, s->resumed_step, s->supersteps - 1);
    if (!s->converged)
        printf ("  result    NOT CONVERGED: stopped at engine.max_supersteps (%u) with %" PRIu64
                " vertices active and %" PRIu64 " messages in flight (engine.on_limit: stop)\n",
                cfg->max_supersteps, s->active_at_end, s->messages_at_end);
    if (s->retries || s->duplicates)
        printf ("  delivery  %" PRIu64 " batches sent again, %" PRIu64 " duplicates dropped\n",
                s->retries, s->duplicates);
    if (s->recoveries)
        printf ("  recovery  %u: every node started again after one was lost\n", s->recoveries);
    if (s->workers_left)
        printf ("  left      %u worker(s): their partitions moved to the other workers\n",
                s->workers_left);
    if (s->routers_left)
        printf ("  left      %u router(s): routes planned again without them\n", s->routers_left);
    for (uint32_t r = 0; s->routers && r < s->n_routers; r++) {
        printf ("  router %-10s frames in %" PRIu64 ", out %" PRIu64 "; messages in %" PRIu64
                ", out %" PRIu64,
                cfg->routers[r].name, s->routers[r].frames_in, s->routers[r].frames_out,
                s->routers[r].messages_in, s->routers[r].messages_out);
        if (s->routers[r].resent)
            printf ("; %" PRIu64 " merged batches sent again", s->routers[r].resent);
        printf ("\n");
    }
    printf ("  output    %.3f s%s%s\n", s->output_seconds, cfg->output ? ": " : "",
            cfg->output ? cfg->output : " (no job.output set)");
    if (s->n_top) {
        printf ("  top %zu vertices by value:\n", s->n_top);
        for (size_t i = 0; i < s->n_top; i++) {
            char v[64];
            zp_format_value (v, sizeof v, s->top_values[i], s->value_type);
            /* A graph of names has ids 0..n-1, each its own index. */
            const char *name = zp_job_summary_name (s, s->top_ids[i]);
            char *label = name ? NULL : s_label (cfg->labels, s->top_ids[i]);
            if (name)
                printf ("    %s  %s\n", name, v);
            else
                printf ("    %12" PRIu64 "  %s%s%s\n", s->top_ids[i], v, label ? "  " : "",
                        label ? label : "");
            free (label);
        }
    }
}

int zp_cli_run (int argc, char **argv, bool spawn)
{
    const char *cmd = spawn ? "run" : "master";
    static const struct option longopts[] = {
        {"set", required_argument, NULL, 's'},     {"stats", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},         {"resume", no_argument, NULL, 'R'},
        {"unset", required_argument, NULL, 'u'},   {"algorithm", required_argument, NULL, 'a'},
        {"graph", required_argument, NULL, 'g'},   {"workers", required_argument, NULL, 'w'},
        {"threads", required_argument, NULL, 't'}, {"output", required_argument, NULL, 'o'},
        {"param", required_argument, NULL, 'p'},   {"history", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    /* At most 2 strings an option, and a worker's name for each of up to
       ZP_CLI_MAX_WORKERS. */
    size_t cap = (size_t) argc + ZP_CLI_MAX_WORKERS;
    s_overrides_t o = {calloc (cap, sizeof (char *)), calloc (cap, sizeof (char *)),
                       calloc (2 * cap, sizeof (char *)), 0, 0};
    const char *stats_path = NULL, *workers = NULL;
    bool quiet = false, resume = false;
    int c, status = 2;
    optind = 1;
    while (o.sets && o.labels && o.owned &&
           (c = getopt_long (argc, argv, "s:qha:g:w:t:o:p:", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            s_add (&o, optarg, NULL);
            break;
        case 'u':
            if ((o.sets[o.n] = zp_cli_unset (optarg)))
                s_add (&o, o.sets[o.n], NULL);
            break;
        case 'a':
            s_add_flag (&o, "job.algorithm", optarg, "--algorithm", optarg);
            break;
        case 'g':
            s_add_flag (&o, "job.graph", optarg, "--graph", optarg);
            break;
        case 't':
            s_add_flag (&o, "engine.threads", optarg, "--threads", optarg);
            break;
        case 'H':
            s_add_flag (&o, "master.history", optarg, "--history", optarg);
            break;
        case 'o':
            s_add_flag (&o, "job.output", optarg, "--output", optarg);
            break;
        case 'p': {
            char key[300];
            const char *eq = strchr (optarg, '=');
            snprintf (key, sizeof key, "job.params.%.*s", eq ? (int) (eq - optarg) : 0, optarg);
            if (!eq || eq == optarg || eq - optarg > 200) {
                fprintf (stderr, "zpregel %s: --param %s: expected NAME=VALUE\n", cmd, optarg);
                goto done;
            }
            s_add_flag (&o, key, eq + 1, "--param", optarg);
            break;
        }
        case 'w':
            workers = optarg;
            break;
        case 'S':
            stats_path = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'R':
            resume = true;
            break;
        case 'h':
            s_usage_run (stdout, cmd);
            status = 0;
            goto done;
        default:
            s_usage_run (stderr, cmd);
            goto done;
        }
    }
    if (!o.sets || !o.labels || !o.owned) {
        fprintf (stderr, "zpregel: out of memory\n");
        status = 1;
        goto done;
    }
    const char *path = optind == argc - 1 ? argv[optind] : NULL;
    if (optind < argc - 1 || (!path && o.n == 0)) {
        fprintf (stderr, "zpregel %s: expected exactly one JOB.yaml, or --algorithm and --graph\n",
                 cmd);
        s_usage_run (stderr, cmd);
        goto done;
    }
    if (path && workers) {
        fprintf (stderr,
                 "zpregel %s: --workers %s: %s lists its workers (--set workers[N].name=... "
                 "adds one)\n",
                 cmd, workers, path);
        goto done;
    }
    if (!path) {
        /* N in-process workers, named w1..wN. */
        char *end = NULL;
        long n = workers ? strtol (workers, &end, 10) : 1;
        if ((workers && (*end || end == workers)) || n < 1 || n > ZP_CLI_MAX_WORKERS) {
            fprintf (stderr, "zpregel %s: --workers %s: expected a number from 1 to %d\n", cmd,
                     workers, ZP_CLI_MAX_WORKERS);
            goto done;
        }
        for (long i = 0; i < n; i++) {
            char key[32], name[32];
            snprintf (key, sizeof key, "workers[%ld].name", i);
            snprintf (name, sizeof name, "w%ld", i + 1);
            s_add_flag (&o, key, name, "--workers", workers ? workers : "1");
        }
    }
    status = 1;
    char err[2048];
    zp_config_t *cfg = zp_config_load_flags (path, o.sets, o.labels, o.n, err, sizeof err);
    if (!cfg) {
        fprintf (stderr, "zpregel: %s\n", err);
        goto done;
    }
    const char **overrides = o.sets;
    size_t n_overrides = o.n;
    s_progress_t progress = {isatty (STDERR_FILENO), quiet, NULL, zclock_usecs (), 0, 0};
    if (stats_path && !(progress.stats = fopen (stats_path, "w"))) {
        fprintf (stderr, "zpregel: %s: cannot write: %s\n", stats_path, strerror (errno));
        zp_config_destroy (&cfg);
        goto done;
    }
    zp_job_options_t options = {s_on_step, &progress,   spawn,  zp_cli_exe (),
                                overrides, n_overrides, resume, quiet};
    zp_job_summary_t summary;
    int rc = zp_job_run (cfg, &options, &summary, err, sizeof err);
    if (progress.tty && !quiet)
        fprintf (stderr, "\n");
    if (rc != 0)
        fprintf (stderr, "zpregel: %s\n", err);
    else if (!quiet)
        s_print_summary (cfg, &summary);
    if (progress.stats) {
        if (rc == 0)
            zp_stats_write_summary (progress.stats, &summary);
        if (fclose (progress.stats) != 0 && rc == 0) {
            fprintf (stderr, "zpregel: %s: write failed\n", stats_path);
            rc = -1;
        }
    }
    zp_job_summary_free (&summary);
    zp_config_destroy (&cfg);
    status = rc == 0                        ? 0
             : rc == ZP_JOB_LIMIT           ? 3
             : rc == ZP_JOB_PROGRAM_CRASHED ? ZP_EXIT_PROGRAM_CRASHED
             : rc == ZP_JOB_INTERRUPTED     ? zp_cli_interrupted_status ()
                                            : 1;
done:
    s_overrides_free (&o);
    return status;
}

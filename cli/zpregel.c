/*  zpregel: the command-line interface.

        zpregel run JOB.yaml [--set key=value]... [--stats FILE] [--quiet]
        zpregel programs
        zpregel version

    Progress goes to stderr: a live line on a terminal, one plain line per
    superstep otherwise. The summary goes to stdout. Exit status: 0 on
    success, 1 when the job fails, 2 on a usage error.
*/
#include "zpregel/zp_job.h"

#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#define ZP_VERSION "0.1.0"

static void s_usage_main (FILE *out)
{
    fprintf (out, "usage: zpregel COMMAND [OPTIONS]\n"
                  "\n"
                  "commands:\n"
                  "  run JOB.yaml     run a whole job (master and workers) from one YAML file\n"
                  "  programs         list the built-in vertex programs and their parameters\n"
                  "  version          print the version\n"
                  "\n"
                  "Run 'zpregel COMMAND --help' for a command's options.\n");
}

static void s_usage_run (FILE *out)
{
    fprintf (
        out,
        "usage: zpregel run JOB.yaml [--set key.path=value]... [--stats FILE] [--quiet]\n"
        "\n"
        "Runs the job described by JOB.yaml: loads the graph, starts the master and the\n"
        "workers, runs supersteps until every vertex has halted, writes job.output.\n"
        "\n"
        "  -s, --set KEY=VALUE  override a key of the YAML file (e.g. job.params.iterations=20,\n"
        "                       workers[1].weight=2); may be repeated\n"
        "      --stats FILE     write one JSON object per superstep, and a summary, to FILE\n"
        "  -q, --quiet          no progress and no summary\n"
        "  -h, --help           this help\n");
}

typedef struct {
    bool tty;
    bool quiet;
    FILE *stats;
    int64_t started;
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
        fprintf (p->stats,
                 "{\"step\":%u,\"seconds\":%.6f,\"compute_seconds\":%.6f,\"active\":%" PRIu64
                 ",\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"batches\":%" PRIu64 "}\n",
                 r->step, r->seconds, r->compute_seconds, r->active, r->messages, r->bytes,
                 r->batches);
    if (p->quiet)
        return;
    char bytes[32];
    s_human_bytes (r->bytes, bytes, sizeof bytes);
    if (p->tty)
        fprintf (stderr,
                 "\r\033[Ksuperstep %u  active %" PRIu64 "  messages %" PRIu64
                 "  bytes %s  elapsed %.2fs",
                 r->step, r->active, r->messages, bytes, elapsed);
    else
        fprintf (stderr,
                 "superstep %u: active %" PRIu64 ", messages %" PRIu64 ", bytes %s, %.4fs, "
                 "elapsed %.2fs\n",
                 r->step, r->active, r->messages, bytes, r->seconds, elapsed);
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
    double mean_v = (double) s->vertices / s->n_workers;
    double mean_e =
        s->n_workers ? (double) (s->directed ? s->edges : 2 * s->edges) / s->n_workers : 0;
    printf ("  workers   %u, imbalance max/mean: vertices %.2f, edges %.2f\n", s->n_workers,
            mean_v > 0 ? (double) s->vertices_max / mean_v : 1.0,
            mean_e > 0 ? (double) s->edges_max / mean_e : 1.0);
    printf ("  load      %.3f s\n", s->load_seconds);
    printf ("  compute   %.3f s: %u supersteps, %" PRIu64
            " messages, %s between workers in %" PRIu64 " batches\n",
            s->compute_seconds, s->supersteps, s->messages, bytes, s->batches);
    printf ("  output    %.3f s%s%s\n", s->output_seconds, cfg->output ? ": " : "",
            cfg->output ? cfg->output : " (no job.output set)");
    if (s->n_top) {
        printf ("  top %zu vertices by value:\n", s->n_top);
        for (size_t i = 0; i < s->n_top; i++) {
            char v[64];
            zp_format_value (v, sizeof v, s->top_values[i], s->value_type);
            char *label = s_label (cfg->labels, s->top_ids[i]);
            printf ("    %12" PRIu64 "  %s%s%s\n", s->top_ids[i], v, label ? "  " : "",
                    label ? label : "");
            free (label);
        }
    }
}

static int s_cmd_run (int argc, char **argv)
{
    static const struct option longopts[] = {{"set", required_argument, NULL, 's'},
                                             {"stats", required_argument, NULL, 'S'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char **overrides = calloc ((size_t) argc, sizeof *overrides);
    size_t n_overrides = 0;
    const char *stats_path = NULL;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "s:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            overrides[n_overrides++] = optarg;
            break;
        case 'S':
            stats_path = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            s_usage_run (stdout);
            free (overrides);
            return 0;
        default:
            s_usage_run (stderr);
            free (overrides);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf (stderr, "zpregel run: expected exactly one JOB.yaml\n");
        s_usage_run (stderr);
        free (overrides);
        return 2;
    }
    char err[2048];
    zp_config_t *cfg = zp_config_load (argv[optind], overrides, n_overrides, err, sizeof err);
    free (overrides);
    if (!cfg) {
        fprintf (stderr, "zpregel: %s\n", err);
        return 1;
    }
    s_progress_t progress = {isatty (STDERR_FILENO), quiet, NULL, zclock_usecs ()};
    if (stats_path && !(progress.stats = fopen (stats_path, "w"))) {
        fprintf (stderr, "zpregel: %s: cannot write: %s\n", stats_path, strerror (errno));
        zp_config_destroy (&cfg);
        return 1;
    }
    zp_job_options_t options = {s_on_step, &progress};
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
            fprintf (progress.stats,
                     "{\"summary\":true,\"program\":\"%s\",\"vertices\":%" PRIu64
                     ",\"edges\":%" PRIu64 ",\"workers\":%u,\"supersteps\":%u,\"messages\":%" PRIu64
                     ",\"bytes\":%" PRIu64 ",\"load_seconds\":%.6f,\"compute_seconds\":%.6f,"
                     "\"output_seconds\":%.6f}\n",
                     summary.program, summary.vertices, summary.edges, summary.n_workers,
                     summary.supersteps, summary.messages, summary.bytes, summary.load_seconds,
                     summary.compute_seconds, summary.output_seconds);
        if (fclose (progress.stats) != 0 && rc == 0) {
            fprintf (stderr, "zpregel: %s: write failed\n", stats_path);
            rc = -1;
        }
    }
    zp_config_destroy (&cfg);
    return rc == 0 ? 0 : 1;
}

static int s_cmd_programs (int argc, char **argv)
{
    if (argc > 1 && (streq (argv[1], "--help") || streq (argv[1], "-h"))) {
        printf ("usage: zpregel programs\n\nLists the built-in vertex programs and their "
                "parameters.\n");
        return 0;
    }
    const zp_program_t *const *all = zp_program_builtins ();
    for (int i = 0; all[i]; i++) {
        printf ("%-6s %s\n", all[i]->name, all[i]->description);
        for (size_t k = 0; k < all[i]->n_params; k++) {
            const zp_param_def_t *d = &all[i]->params[k];
            char def[64];
            zp_format_value (def, sizeof def, d->fallback, d->type);
            printf ("         job.params.%-12s %s (from %s; default %s)\n", d->name,
                    d->help ? d->help : "", d->property ? d->property : "-",
                    d->required ? "none, required" : def);
        }
    }
    return 0;
}

int main (int argc, char **argv)
{
    /* czmq installs its own SIGINT handler; zsys_interrupted tells us. Logs go to stderr. */
    zsys_init ();
    zsys_set_logident ("zpregel");
    if (argc < 2) {
        s_usage_main (stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (streq (cmd, "run"))
        return s_cmd_run (argc - 1, argv + 1);
    if (streq (cmd, "programs"))
        return s_cmd_programs (argc - 1, argv + 1);
    if (streq (cmd, "version") || streq (cmd, "--version")) {
        printf ("zpregel %s\n", ZP_VERSION);
        return 0;
    }
    if (streq (cmd, "help") || streq (cmd, "--help") || streq (cmd, "-h")) {
        s_usage_main (stdout);
        return 0;
    }
    fprintf (stderr, "zpregel: unknown command \"%s\"\n", cmd);
    s_usage_main (stderr);
    return 2;
}

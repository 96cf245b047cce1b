/*  zpregel: the command-line interface.

        zpregel run JOB.yaml [--set key=value]... [--stats FILE] [--quiet] [--resume]
        zpregel master JOB.yaml [...]         the master and inproc workers only
        zpregel worker JOB.yaml --name W      one tcp worker
        zpregel launch JOB.yaml --host H      every tcp worker of host H
        zpregel watch ENDPOINT|JOB.yaml       follow a job's broadcast
        zpregel programs
        zpregel keygen PATH                   a CURVE certificate for security:
        zpregel version

    Progress goes to stderr: a live line on a terminal, one plain line per
    superstep otherwise. The summary goes to stdout. Exit status (README):
    0 on success, 1 when the job fails, 2 on a usage error, 3 when
    engine.max_supersteps stopped a job that had not converged
    (engine.on_limit: fail), 4 when a vertex program crashed.
*/
#include "zp_actor.h"
#include "zp_gen.h"
#include "zp_log.h"
#include "zp_json.h"
#include "zp_job_internal.h"
#include "zp_settings.h"
#include "zp_plan.h"
#include "zp_process.h"
#include "zp_traffic.h"
#include "zpregel/zp_watch.h"
#include "zp_router.h"
#include "zp_worker.h"
#include "zp_endpoint.h"

#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define ZP_VERSION "0.1.0"

static void s_usage_main (FILE *out)
{
    fprintf (out,
             "usage: zpregel COMMAND [OPTIONS]\n"
             "\n"
             "commands:\n"
             "  run JOB.yaml      run a whole job from one YAML file: the master, the\n"
             "                    inproc workers, and this host's tcp workers as processes\n"
             "  master JOB.yaml   run the master and the inproc workers; wait for tcp workers\n"
             "  worker JOB.yaml   run one tcp worker (--name W)\n"
             "  router JOB.yaml   run one tcp router (--name R)\n"
             "  launch JOB.yaml   run every tcp worker and router placed on a host (--host H),\n"
             "                    or, under srun, this task's part of the job\n"
             "  watch ENDPOINT    print a job's control broadcast as it happens\n"
             "  plan JOB.yaml     show the route plan for a job's traffic, and what it saves\n"
             "  gen rmat          write a Graph500 R-MAT graph (Graphalytics files and .zpg)\n"
             "  gen traffic       write a synthetic power-law traffic matrix\n"
             "  programs [P]...   list vertex programs (built-ins, or shared objects) and their\n"
             "                    parameters (--json: one JSON object each)\n"
             "  keygen PATH       write a CURVE certificate: PATH (public) and PATH_secret\n"
             "  version           print the version\n"
             "\n"
             "Every command takes --log-level error|warning|info|debug (default info, or\n"
             "ZPREGEL_LOG_LEVEL), which the nodes it starts inherit.\n"
             "Run 'zpregel COMMAND --help' for a command's options.\n");
}

/* Takes --log-level LEVEL (or --log-level=LEVEL) out of argv, wherever it
   is, into ZPREGEL_LOG_LEVEL, which zp_log reads and child processes
   inherit. 0, or -1 after a message about a bad level. */
static int s_log_level (int *argc, char **argv)
{
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        const char *value = NULL;
        if (streq (argv[i], "--log-level")) {
            if (i + 1 == *argc) {
                fprintf (stderr,
                         "zpregel: --log-level needs a level: error, warning, info or debug\n");
                return -1;
            }
            value = argv[++i];
        } else if (strncmp (argv[i], "--log-level=", 12) == 0)
            value = argv[i] + 12;
        else {
            argv[kept++] = argv[i];
            continue;
        }
        zp_log_level_t level;
        if (zp_log_parse (value, &level) != 0) {
            fprintf (stderr,
                     "zpregel: --log-level: expected error, warning, info or debug, got \"%s\"\n",
                     value);
            return -1;
        }
        setenv ("ZPREGEL_LOG_LEVEL", value, 1);
    }
    *argc = kept;
    argv[kept] = NULL;
    return 0;
}

/* --unset KEY: the override "-KEY" (zp_config_load), kept for the life of
   the process. NULL when there are too many. */
static const char *s_unset (const char *key)
{
    static char *kept[256];
    static size_t n;
    if (n == sizeof kept / sizeof kept[0])
        return NULL;
    size_t size = strlen (key) + 2;
    if (!(kept[n] = malloc (size)))
        return NULL;
    snprintf (kept[n], size, "-%s", key);
    return kept[n++];
}

static void s_usage_run (FILE *out, const char *cmd)
{
    fprintf (out,
             "usage: zpregel %s JOB.yaml [--set key.path=value]... [--stats FILE] [--quiet]\n"
             "       %*s [--resume]\n\n",
             cmd, (int) (strlen (cmd) + 17), "");
    if (streq (cmd, "run"))
        fprintf (out, "Runs the job described by JOB.yaml: loads the graph, starts the master and\n"
                      "the inproc workers, starts the tcp workers of this host as processes (and\n"
                      "waits for those of other hosts), runs supersteps until every vertex has\n"
                      "halted, and writes job.output. If a node it started dies, it starts every\n"
                      "node again from the last checkpoint (reliability.checkpoint_every), up to\n"
                      "reliability.max_recoveries times.\n\n");
    else
        fprintf (out, "Like run, but starts no worker process: every tcp worker is started on its\n"
                      "host with 'zpregel launch' or 'zpregel worker'.\n\n");
    fprintf (
        out,
        "  -s, --set KEY=VALUE  override a key of the YAML file (e.g. job.params.iterations=20,\n"
        "                       workers[1].weight=2); an index one past a list's end adds an\n"
        "                       item (workers[2].name=w3 on two workers); may be repeated\n"
        "      --unset KEY      remove a key or a list item (job.params, workers[1])\n"
        "      --stats FILE     write one JSON object per superstep, and a summary, to FILE\n"
        "      --resume         continue from the newest complete checkpoint in\n"
        "                       reliability.checkpoint_dir (after the master died)\n"
        "  -q, --quiet          no progress and no summary\n"
        "  -h, --help           this help\n");
}

/* This binary, for starting worker processes. */
static const char *s_exe (void)
{
    static char path[4096];
    ssize_t n = readlink ("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return NULL;
    path[n] = 0;
    return path;
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

/* Now, as UTC with milliseconds: "2026-12-01T12:34:56.789Z". */
static void s_now (char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r (&ts.tv_sec, &tm);
    char day[32];
    strftime (day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buf, len, "%s.%03ldZ", day, ts.tv_nsec / 1000000);
}

static void s_on_step (void *ctx, const zp_step_report_t *r)
{
    zp_traffic_t t = {r->n_workers, r->sent_messages, r->sent_bytes};
    s_progress_t *p = ctx;
    double elapsed = (double) (zclock_usecs () - p->started) / 1e6;
    if (p->stats) {
        char now[40];
        s_now (now, sizeof now);
        fprintf (p->stats,
                 "{\"step\":%u,\"seconds\":%.6f,\"compute_seconds\":%.6f,"
                 "\"slowest_worker\":\"%s\",\"active\":%" PRIu64 ",\"messages\":%" PRIu64
                 ",\"bytes\":%" PRIu64 ",\"batches\":%" PRIu64 ",\"retries\":%" PRIu64
                 ",\"duplicates\":%" PRIu64 ",\"workers\":[",
                 r->step, r->seconds, r->compute_seconds, r->slowest, r->active, r->messages,
                 r->bytes, r->batches, r->retries, r->duplicates);
        for (uint32_t i = 0; i < r->n_workers; i++) {
            const zp_worker_step_t *w = &r->workers[i];
            fprintf (p->stats, "%s{\"name\":", i ? "," : "");
            zp_json_string (p->stats, w->name);
            fprintf (p->stats,
                     ",\"active\":%" PRIu64 ",\"messages_out\":%" PRIu64 ",\"messages_in\":%" PRIu64
                     ",\"bytes_out\":%" PRIu64 ",\"bytes_in\":%" PRIu64 ",\"compute_seconds\":%.6f,"
                     "\"send_wait_seconds\":%.6f,\"barrier_wait_seconds\":%.6f}",
                     w->active, w->messages_out, w->messages_in, w->bytes_out, w->bytes_in,
                     w->compute_seconds, w->send_wait_seconds, w->barrier_wait_seconds);
        }
        fprintf (p->stats, "],\"time\":\"%s\"}\n", now);
        zp_traffic_write (p->stats, r->step, &t);
    }
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
                 "elapsed %.2fs, slowest %s (%.4fs computing)\n",
                 r->step, r->active, r->messages, bytes, r->seconds, elapsed, r->slowest,
                 r->compute_seconds);
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
            char *label = s_label (cfg->labels, s->top_ids[i]);
            printf ("    %12" PRIu64 "  %s%s%s\n", s->top_ids[i], v, label ? "  " : "",
                    label ? label : "");
            free (label);
        }
    }
}

static void s_write_u64s (FILE *f, const char *key, const uint64_t *v, uint32_t n)
{
    fprintf (f, ",\"%s\":[", key);
    for (uint32_t i = 0; i < n; i++)
        fprintf (f, "%s%" PRIu64, i ? "," : "", v[i]);
    fprintf (f, "]");
}

/* The last line of --stats. */
static void s_write_summary (FILE *f, const zp_job_summary_t *s)
{
    fprintf (f,
             "{\"summary\":true,\"program\":\"%s\",\"vertices\":%" PRIu64 ",\"edges\":%" PRIu64
             ",\"workers\":%u,\"supersteps\":%u,\"resumed_step\":%u,\"converged\":%s"
             ",\"active_at_end\":%" PRIu64 ",\"messages_at_end\":%" PRIu64 ",\"messages\":%" PRIu64
             ",\"bytes\":%" PRIu64 ",\"retries\":%" PRIu64 ",\"duplicates\":%" PRIu64
             ",\"recoveries\":%u"
             ",\"workers_left\":%u,\"routers_left\":%u"
             ",\"load_seconds\":%.6f,\"compute_seconds\":%.6f,\"output_seconds\":%.6f"
             ",\"imbalance_vertices\":%.4f,\"imbalance_edges\":%.4f",
             s->program, s->vertices, s->edges, s->n_workers, s->supersteps, s->resumed_step,
             s->converged ? "true" : "false", s->active_at_end, s->messages_at_end, s->messages,
             s->bytes, s->retries, s->duplicates, s->recoveries, s->workers_left, s->routers_left,
             s->load_seconds, s->compute_seconds, s->output_seconds, s->imbalance_vertices,
             s->imbalance_edges);
    s_write_u64s (f, "vertices_per_worker", s->vertices_of, s->n_workers);
    s_write_u64s (f, "edges_per_worker", s->edges_of, s->n_workers);
    char now[40];
    s_now (now, sizeof now);
    fprintf (f, ",\"time\":\"%s\"}\n", now);
}

/* The exit status of a process that SIGINT or SIGTERM interrupted:
   128 + the signal (130, 143), as shells expect; 1 if no signal did. */
static int s_interrupted_status (void)
{
    int signo = zp_process_signal ();
    return signo ? 128 + signo : 1;
}

static int s_cmd_run (int argc, char **argv, bool spawn)
{
    const char *cmd = spawn ? "run" : "master";
    static const struct option longopts[] = {{"set", required_argument, NULL, 's'},
                                             {"stats", required_argument, NULL, 'S'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"resume", no_argument, NULL, 'R'},
                                             {"unset", required_argument, NULL, 'u'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char **overrides = calloc ((size_t) argc, sizeof *overrides);
    size_t n_overrides = 0;
    const char *stats_path = NULL;
    bool quiet = false, resume = false;
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "s:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            overrides[n_overrides++] = optarg;
            break;
        case 'u':
            if ((overrides[n_overrides] = s_unset (optarg)))
                n_overrides++;
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
            free (overrides);
            return 0;
        default:
            s_usage_run (stderr, cmd);
            free (overrides);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf (stderr, "zpregel %s: expected exactly one JOB.yaml\n", cmd);
        s_usage_run (stderr, cmd);
        free (overrides);
        return 2;
    }
    char err[2048];
    zp_config_t *cfg = zp_config_load (argv[optind], overrides, n_overrides, err, sizeof err);
    if (!cfg) {
        fprintf (stderr, "zpregel: %s\n", err);
        free (overrides);
        return 1;
    }
    s_progress_t progress = {isatty (STDERR_FILENO), quiet, NULL, zclock_usecs ()};
    if (stats_path && !(progress.stats = fopen (stats_path, "w"))) {
        fprintf (stderr, "zpregel: %s: cannot write: %s\n", stats_path, strerror (errno));
        zp_config_destroy (&cfg);
        return 1;
    }
    zp_job_options_t options = {s_on_step, &progress,   spawn,  s_exe (),
                                overrides, n_overrides, resume, quiet};
    zp_job_summary_t summary;
    int rc = zp_job_run (cfg, &options, &summary, err, sizeof err);
    free (overrides);
    if (progress.tty && !quiet)
        fprintf (stderr, "\n");
    if (rc != 0)
        fprintf (stderr, "zpregel: %s\n", err);
    else if (!quiet)
        s_print_summary (cfg, &summary);
    if (progress.stats) {
        if (rc == 0)
            s_write_summary (progress.stats, &summary);
        if (fclose (progress.stats) != 0 && rc == 0) {
            fprintf (stderr, "zpregel: %s: write failed\n", stats_path);
            rc = -1;
        }
    }
    zp_job_summary_free (&summary);
    zp_config_destroy (&cfg);
    return rc == 0                        ? 0
           : rc == ZP_JOB_LIMIT           ? 3
           : rc == ZP_JOB_PROGRAM_CRASHED ? ZP_EXIT_PROGRAM_CRASHED
           : rc == ZP_JOB_INTERRUPTED     ? s_interrupted_status ()
                                          : 1;
}

/* Runs one tcp worker or router of `cfg` in this process until the job
   ends: 0 finished, 1 failed. */
static int s_run_node_once (const zp_config_t *cfg, const zp_worker_config_t *wc, bool router,
                            const zp_security_t *security, bool *lost)
{
    char locality[300];
    snprintf (locality, sizeof locality, "%s/%d", zp_process_hostname (), (int) getpid ());
    zp_node_args_t args = zp_node_args_of (cfg, wc, locality, security);
    zactor_t *actor = zactor_new (router ? zp_router_actor : zp_worker_actor, &args);
    if (!actor) {
        fprintf (stderr, "zpregel: %s %s: cannot start on %s\n", router ? "router" : "worker",
                 wc->name, wc->endpoint);
        return 1;
    }
    int rc = 1;
    zpoller_t *poller = zpoller_new (actor, NULL);
    while (true) {
        zsock_t *which = zpoller_wait (poller, 200);
        if (which) {
            char *status = zstr_recv (actor);
            rc = status && streq (status, "OK") ? 0 : 1;
            *lost = status && streq (status, "LOST");
            zstr_free (&status);
            break;
        }
        if (zpoller_terminated (poller) || zsys_interrupted)
            break;
    }
    zpoller_destroy (&poller);
    zp_actor_destroy (&actor);
    return rc;
}

/* Runs the node; when the job is lost to it (the master went silent, or
   ended the job because a node was lost) it registers again, after a
   growing pause, up to reliability.max_recoveries times: a restarted
   master (zpregel master --resume) finds it waiting. */
static int s_run_node (const zp_config_t *cfg, const zp_worker_config_t *wc, bool router)
{
    zp_security_t *security = NULL;
    char err[1024];
    if (zp_security_open (cfg, true, &security, err, sizeof err) != 0) {
        fprintf (stderr, "zpregel: %s: %s\n", cfg->path, err);
        return 1;
    }
    for (uint32_t attempt = 0;; attempt++) {
        bool lost = false;
        int rc = s_run_node_once (cfg, wc, router, security, &lost);
        if (!lost || attempt >= cfg->max_recoveries || zsys_interrupted) {
            zp_security_destroy (&security);
            return rc;
        }
        int64_t pause = (int64_t) cfg->heartbeat_ms << (attempt < 5 ? attempt : 5);
        zp_log_info ("%s %s: registering again with the master at %s in %.1fs (%u of %u)",
                     router ? "router" : "worker", wc->name, cfg->control, (double) pause / 1000,
                     attempt + 1, cfg->max_recoveries);
        for (int64_t end = zclock_mono () + pause; zclock_mono () < end && !zsys_interrupted;)
            zclock_sleep (50);
    }
}

/* One process zpregel launch runs: the master (under Slurm, on task 0)
   or a tcp node, with its own --set values. */
typedef struct {
    const zp_worker_config_t *node; /* NULL: the master */
    bool router;
    const char *sets[4]; /* after the caller's: where the master is, where to bind */
    size_t n_sets;
    pid_t pid;
    uint32_t restarts;
    int status;
} s_child_t;

static pid_t s_spawn_child (const zp_config_t *cfg, s_child_t *c, const char *const *overrides,
                            size_t n_overrides)
{
    const char *sets[n_overrides + 5];
    size_t n = 0;
    for (size_t i = 0; i < n_overrides; i++)
        sets[n++] = overrides[i];
    for (size_t i = 0; i < c->n_sets; i++)
        sets[n++] = c->sets[i];
    if (c->node)
        return zp_job_spawn_node (s_exe (), cfg, c->router, c->node->name, sets, n);
    const char *argv[4 + 2 * n];
    size_t at = 0;
    argv[at++] = s_exe ();
    argv[at++] = "master";
    argv[at++] = cfg->path;
    for (size_t i = 0; i < n; i++) {
        argv[at++] = "--set";
        argv[at++] = sets[i];
    }
    argv[at] = NULL;
    return zp_process_spawn (argv);
}

/* Runs `children` until they all end. A node that dies of a signal (a
   crash, kill -9) is started again, up to reliability.max_recoveries
   times: it registers with the master, which waits for it after a loss.
   Then says how the job ended here, and returns the job's status: the
   master's if it runs here, else the worst of the nodes'. */
static int s_launch_children (const zp_config_t *cfg, const char *where, s_child_t *children,
                              size_t n, const char *const *overrides, size_t n_overrides)
{
    size_t running = 0;
    for (size_t i = 0; i < n; i++) {
        children[i].status = 1;
        if ((children[i].pid = s_spawn_child (cfg, &children[i], overrides, n_overrides)) > 0)
            running++;
        else
            fprintf (stderr, "zpregel launch: %s: cannot start %s %s: %s\n", where,
                     children[i].router ? "router" : "worker",
                     children[i].node ? children[i].node->name : "the master", strerror (errno));
    }
    while (running > 0 && !zsys_interrupted) {
        zclock_sleep (50);
        for (size_t i = 0; i < n; i++) {
            s_child_t *c = &children[i];
            int status = 0;
            if (c->pid <= 0 || zp_process_poll (c->pid, &status) != 1)
                continue;
            const char *role = !c->node ? "master" : c->router ? "router" : "worker";
            zp_child_end_t end = zp_process_end (status);
            char how[600];
            zp_process_end_text (role, c->node ? c->node->name : "", c->pid, status, how,
                                 sizeof how);
            if (c->node && end == ZP_CHILD_LOST && c->restarts < cfg->max_recoveries) {
                c->restarts++;
                zp_log_warning ("zpregel launch: %s; starting it again (%u of at most %u)", how,
                                c->restarts, cfg->max_recoveries);
                if ((c->pid = s_spawn_child (cfg, c, overrides, n_overrides)) > 0)
                    continue;
            }
            if (end == ZP_CHILD_CRASHED)
                zp_log_error ("zpregel launch: %s", how);
            c->status = status;
            c->pid = 0;
            running--;
        }
    }
    /* Interrupted: whatever still runs is stopped, all at once. */
    pid_t pids[n + 1];
    for (size_t i = 0; i <= n; i++)
        pids[i] = i < n ? children[i].pid : 0;
    zp_process_stop_all (pids, NULL, n, 0);
    for (size_t i = 0; i < n; i++)
        if (children[i].pid > 0)
            children[i].status = s_interrupted_status ();
    /* The job's status, and a closing line: what ran here and how it ended
       (each node has logged why a failed job failed, as the master said). */
    int rc = 0;
    bool has_master = n > 0 && !children[0].node;
    char ended[1024] = "";
    for (size_t i = 0; i < n; i++) {
        const s_child_t *c = &children[i];
        if (has_master ? !c->node : c->status > rc)
            rc = c->status;
        size_t at = strlen (ended);
        snprintf (ended + at, sizeof ended - at, "%s%s%s (exit %d)", at ? ", " : "",
                  !c->node    ? "master"
                  : c->router ? "router "
                              : "worker ",
                  c->node ? c->node->name : "", c->status);
    }
    fprintf (stderr, "zpregel launch: %s: the job %s; %s\n", where,
             rc == 0   ? "finished"
             : rc == 3 ? "did not converge"
                       : "failed",
             ended);
    return rc;
}

/* The first host of a Slurm host list ("node[01-04,07],gpu1" -> "node01"). */
static void s_first_host (const char *list, char *out, size_t len)
{
    size_t at = 0;
    for (const char *p = list; *p && *p != ',' && at + 1 < len;) {
        if (*p == '[') {
            for (p++; *p && *p != ',' && *p != '-' && *p != ']' && at + 1 < len; p++)
                out[at++] = *p;
            while (*p && *p != ']')
                p++;
            if (*p)
                p++;
        } else
            out[at++] = *p++;
    }
    out[at] = 0;
}

/* Under Slurm (srun zpregel launch JOB.yaml): task 0 runs the master on the
   first node of the step; the tcp nodes, workers then routers as the job
   file lists them, go to the tasks in turn from task 1 (the k-th, from 0,
   to task (k + 1) mod tasks),
   each binding on its task's node with a port chosen at run time. The
   master's ports are the job file's, or, when it leaves them open, two
   taken from the Slurm job and step ids (every task computes the same). */
static int s_launch_slurm (const zp_config_t *cfg, const char *const *overrides, size_t n_overrides)
{
    const char *procid = getenv ("SLURM_PROCID"), *ntasks = getenv ("SLURM_NTASKS");
    const char *list = getenv ("SLURM_STEP_NODELIST");
    if (!list)
        list = getenv ("SLURM_JOB_NODELIST");
    const char *node = getenv ("SLURMD_NODENAME");
    int rank = procid ? atoi (procid) : -1, tasks = ntasks ? atoi (ntasks) : 0;
    if (rank < 0 || tasks < 1 || rank >= tasks || !list || !*list) {
        fprintf (stderr,
                 "zpregel launch: %s: not in a Slurm job step (SLURM_PROCID, "
                 "SLURM_NTASKS and SLURM_STEP_NODELIST are not all set): run it with "
                 "srun, or give --host HOST\n",
                 cfg->path);
        return 1;
    }
    char first[256], here[300];
    s_first_host (list, first, sizeof first);
    snprintf (here, sizeof here, "task %d of %d on %s", rank, tasks,
              node ? node : zp_process_hostname ());
    zp_endpoint_t control = {.port = 0}, bcast = {.port = 0};
    char why[512];
    if (zp_endpoint_is_tcp (cfg->control))
        zp_endpoint_parse (cfg->control, &control, why, sizeof why);
    if (zp_endpoint_is_tcp (cfg->broadcast))
        zp_endpoint_parse (cfg->broadcast, &bcast, why, sizeof why);
    /* Unsigned arithmetic on whatever the ids hold (a huge or a bad one
       included): a port from 20000 to 59998, the same on every task. */
    uint64_t job = strtoull (getenv ("SLURM_JOB_ID") ? getenv ("SLURM_JOB_ID") : "0", NULL, 10);
    uint64_t step = strtoull (getenv ("SLURM_STEP_ID") ? getenv ("SLURM_STEP_ID") : "0", NULL, 10);
    int base = 20000 + (int) (((job % 40000) * 64 + (step % 40000) * 2) % 40000);
    char set_control[400], set_bcast[400];
    snprintf (set_control, sizeof set_control, "master.control=tcp://%s:%d", first,
              control.port ? control.port : base);
    snprintf (set_bcast, sizeof set_bcast, "master.broadcast=tcp://%s:%d", first,
              bcast.port ? bcast.port : base + 1);
    size_t total = cfg->n_workers + cfg->n_routers, n = 0, tcp = 0;
    s_child_t *children = calloc (total + 1, sizeof *children);
    char (*binds)[400] = calloc (total + 1, sizeof *binds);
    if (!children || !binds) {
        free (children);
        free (binds);
        fprintf (stderr, "zpregel launch: out of memory\n");
        return 1;
    }
    if (rank == 0)
        children[n++] = (s_child_t){.sets = {set_control, set_bcast}, .n_sets = 2};
    for (size_t i = 0; i < total; i++) {
        bool router = i >= cfg->n_workers;
        size_t k = router ? i - cfg->n_workers : i;
        const zp_worker_config_t *wc = router ? &cfg->routers[k] : &cfg->workers[k];
        if (wc->transport != ZP_TRANSPORT_TCP || (int) (++tcp % (size_t) tasks) != rank)
            continue;
        zp_endpoint_t own;
        zp_endpoint_parse (wc->endpoint, &own, why, sizeof why);
        char port[16] = "";
        if (own.port)
            snprintf (port, sizeof port, ":%d", own.port);
        snprintf (binds[n], sizeof binds[n], "%s[%zu].endpoint=tcp://%s%s",
                  router ? "routers" : "workers", k, node ? node : zp_process_hostname (), port);
        children[n] = (s_child_t){
            .node = wc, .router = router, .sets = {set_control, set_bcast, binds[n]}, .n_sets = 3};
        n++;
    }
    int rc = 0;
    if (n == 0)
        fprintf (stderr, "zpregel launch: %s: nothing to run here (%zu tcp nodes for %d tasks)\n",
                 here, tcp, tasks);
    else
        rc = s_launch_children (cfg, here, children, n, overrides, n_overrides);
    free (children);
    free (binds);
    return rc;
}

/* zpregel launch --host HOST: every tcp worker and router whose host: is
   HOST, as child processes, until they all end. */
static int s_launch (const zp_config_t *cfg, const char *host, const char *const *overrides,
                     size_t n_overrides)
{
    size_t total = cfg->n_workers + cfg->n_routers, n = 0;
    s_child_t children[total + 1];
    for (size_t i = 0; i < total; i++) {
        bool router = i >= cfg->n_workers;
        const zp_worker_config_t *wc =
            router ? &cfg->routers[i - cfg->n_workers] : &cfg->workers[i];
        if (wc->transport == ZP_TRANSPORT_TCP && wc->host && streq (wc->host, host))
            children[n++] = (s_child_t){.node = wc, .router = router};
    }
    if (n == 0) {
        fprintf (stderr, "zpregel: %s: no tcp worker or router has host: %s\n", cfg->path, host);
        return 1;
    }
    return s_launch_children (cfg, host, children, n, overrides, n_overrides);
}

/* A node started on its own must know where the master listens. */
static bool s_master_known (const zp_config_t *cfg)
{
    if (!zp_endpoint_port_at_run_time (cfg->control) &&
        !zp_endpoint_port_at_run_time (cfg->broadcast))
        return true;
    fprintf (stderr,
             "zpregel: %s: master.control and master.broadcast leave their ports to be chosen "
             "at run time, so a node started on its own cannot find the master: give them ports "
             "in the job file, or pass the ones the master printed (--set "
             "master.control=tcp://HOST:PORT --set master.broadcast=tcp://HOST:PORT)\n",
             cfg->path);
    return false;
}

/* zpregel worker, zpregel router and zpregel launch. */
static int s_cmd_node (int argc, char **argv, const char *cmd)
{
    bool launch = streq (cmd, "launch"), router = streq (cmd, "router");
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'}, {"host", required_argument, NULL, 'H'},
        {"set", required_argument, NULL, 's'},  {"unset", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    const char **overrides = calloc ((size_t) argc, sizeof *overrides);
    size_t n_overrides = 0;
    const char *name = NULL, *host = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "n:H:s:h", longopts, NULL)) != -1) {
        if (c == 'n' && !launch)
            name = optarg;
        else if (c == 'H' && launch)
            host = optarg;
        else if (c == 's')
            overrides[n_overrides++] = optarg;
        else if (c == 'u' && (overrides[n_overrides] = s_unset (optarg)))
            n_overrides++;
        else {
            FILE *out = c == 'h' ? stdout : stderr;
            if (launch)
                fprintf (out,
                         "usage: zpregel launch JOB.yaml --host HOST [--set key=value]...\n"
                         "       srun zpregel launch JOB.yaml [--set key=value]...\n\n"
                         "Starts every tcp worker and router of JOB.yaml whose host: is HOST, as\n"
                         "processes, and waits for them. Run it on each host of the job. One\n"
                         "that dies of a signal is started again, up to\n"
                         "reliability.max_recoveries times, and joins the job again.\n\n"
                         "In a Slurm job step (srun), without --host: task 0 runs the master on\n"
                         "the step's first node, and the tcp workers and routers go to the tasks\n"
                         "in turn, each bound on its task's node (docs/CLUSTERS.md).\n\n"
                         "It ends when the job ends, says how (each node logs why a failed job\n"
                         "failed), and exits 0 when it finished; otherwise with the master's exit\n"
                         "status where the master runs, else 1 (or a node's 128 + signal).\n");
            else
                fprintf (out,
                         "usage: zpregel %s JOB.yaml --name NAME [--set key=value]...\n\n"
                         "Runs the tcp %s NAME of JOB.yaml in this process: it binds its\n"
                         "endpoint, joins the master, and exits when the job ends (status 0)\n"
                         "or fails (status 1).\n",
                         cmd, cmd);
            free (overrides);
            return c == 'h' ? 0 : 2;
        }
    }
    bool slurm = launch && !host && getenv ("SLURM_PROCID");
    if (optind != argc - 1 || (!launch && !name) || (launch && !host && !slurm)) {
        fprintf (stderr, "zpregel %s: expected JOB.yaml and %s\n", cmd,
                 launch ? "--host HOST (or run it with srun, in a Slurm job)" : "--name NAME");
        free (overrides);
        return 2;
    }
    char err[2048];
    zp_config_t *cfg = zp_config_load (argv[optind], overrides, n_overrides, err, sizeof err);
    if (!cfg) {
        fprintf (stderr, "zpregel: %s\n", err);
        free (overrides);
        return 1;
    }
    int rc = 0;
    if (!slurm && !s_master_known (cfg))
        rc = 1;
    else if (slurm)
        rc = s_launch_slurm (cfg, overrides, n_overrides);
    else if (!launch) {
        const zp_worker_config_t *list = router ? cfg->routers : cfg->workers, *wc = NULL;
        size_t count = router ? cfg->n_routers : cfg->n_workers;
        for (size_t i = 0; i < count; i++)
            if (streq (list[i].name, name))
                wc = &list[i];
        if (!wc || wc->transport != ZP_TRANSPORT_TCP) {
            fprintf (stderr, "zpregel: %s: no tcp %s named \"%s\" in %ss\n", cfg->path, cmd, name,
                     cmd);
            rc = 1;
        } else
            rc = s_run_node (cfg, wc, router);
    } else
        rc = s_launch (cfg, host, overrides, n_overrides);
    if (rc != 0 && zsys_interrupted)
        rc = s_interrupted_status ();
    zp_config_destroy (&cfg);
    free (overrides);
    return rc;
}

static int s_cmd_watch (int argc, char **argv)
{
    static const struct option longopts[] = {{"control", required_argument, NULL, 'c'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"all", no_argument, NULL, 'a'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"set", required_argument, NULL, 's'},
                                             {"server-cert", required_argument, NULL, 'S'},
                                             {"cert", required_argument, NULL, 'C'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char **overrides = calloc ((size_t) argc + 1, sizeof *overrides);
    size_t n_overrides = 0;
    const char *control = NULL, *server_cert = NULL, *client_cert = NULL;
    bool json = false, all = false;
    double timeout = 30; /* seconds without any event (a live job heartbeats every second) */
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "c:jat:s:S:C:h", longopts, NULL)) != -1) {
        char *end;
        if (c == 'c')
            control = optarg;
        else if (c == 's' && overrides)
            overrides[n_overrides++] = optarg;
        else if (c == 'S')
            server_cert = optarg;
        else if (c == 'C')
            client_cert = optarg;
        else if (c == 'j')
            json = true;
        else if (c == 'a')
            all = true;
        else if (c == 't' && (timeout = strtod (optarg, &end), *end == 0 && timeout >= 0))
            ;
        else {
            FILE *out = c == 'h' ? stdout : stderr;
            if (c == 't')
                fprintf (out, "zpregel watch: --timeout: expected seconds, got \"%s\"\n", optarg);
            fprintf (
                out,
                "usage: zpregel watch ENDPOINT|JOB.yaml [--control ENDPOINT] [--json] [--all]\n"
                "                     [--timeout SECONDS] [--set key=value]...\n\n"
                "Prints a job's control broadcast, one line per event, from the job's first\n"
                "superstep, and exits when the job terminates (status 1 if it failed, or if\n"
                "no event came within the timeout). ENDPOINT may be the ipc:// endpoint\n"
                "that 'zpregel run' prints for a job with no tcp master endpoints.\n"
                "ENDPOINT is the master's broadcast endpoint; with JOB.yaml, its\n"
                "master.broadcast and master.control are used, and its security section\n"
                "when CURVE is on (a watcher needs a client certificate the job allows).\n\n"
                "  -c, --control EP   the master's control endpoint (else learned from the job)\n"
                "  -j, --json         one JSON object per line\n"
                "  -a, --all          also SYNC events (the join phase)\n"
                "  -t, --timeout S    give up after S seconds without an event (default 30: a\n"
                "                     running job sends one every reliability.heartbeat_ms;\n"
                "                     0: wait for ever)\n"
                "  -s, --set K=V      override a key of JOB.yaml\n"
                "  --server-cert P --cert P\n"
                "                     with ENDPOINT, watch a CURVE job: the servers' (public)\n"
                "                     certificate and this watcher's own\n");
            free (overrides);
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind != argc - 1) {
        fprintf (stderr, "zpregel watch: expected one ENDPOINT or JOB.yaml\n");
        free (overrides);
        return 2;
    }
    const char *target = argv[optind];
    zp_config_t *cfg = NULL;
    zp_security_t *security = NULL;
    char err[2048];
    if (!strstr (target, "://")) {
        cfg = zp_config_load (target, overrides, n_overrides, err, sizeof err);
        free (overrides);
        if (!cfg) {
            fprintf (stderr, "zpregel: %s\n", err);
            return 1;
        }
        if (!cfg->broadcast || strncmp (cfg->broadcast, "tcp://", 6) != 0) {
            fprintf (stderr,
                     "zpregel: %s: the master binds no tcp broadcast endpoint: 'zpregel run' "
                     "prints where to watch it (an ipc:// endpoint on this machine), or give "
                     "master.broadcast a tcp endpoint\n",
                     target);
            zp_config_destroy (&cfg);
            return 1;
        }
        if (zp_endpoint_port_at_run_time (cfg->broadcast)) {
            fprintf (stderr,
                     "zpregel: %s: master.broadcast has no port: the master chooses one when it "
                     "starts and prints it (\"zpregel watch tcp://HOST:PORT\"): watch that\n",
                     target);
            zp_config_destroy (&cfg);
            return 1;
        }
        if (zp_security_open (cfg, false, &security, err, sizeof err) != 0) {
            fprintf (stderr, "zpregel: %s: %s\n", cfg->path, err);
            zp_config_destroy (&cfg);
            return 1;
        }
        target = cfg->broadcast;
        if (!control)
            control = cfg->control;
    } else {
        free (overrides);
        if (!server_cert != !client_cert) {
            fprintf (stderr, "zpregel watch: --server-cert and --cert go together\n");
            return 2;
        }
        zp_config_t curve = {
            .curve = 1, .server_cert = (char *) server_cert, .client_cert = (char *) client_cert};
        if (server_cert && zp_security_open (&curve, false, &security, err, sizeof err) != 0) {
            fprintf (stderr, "zpregel: %s\n", err);
            return 1;
        }
    }
    zp_watch_t *watch = zp_watch_new (target, control, security);
    if (!watch) {
        fprintf (stderr, "zpregel: cannot watch %s\n", target);
        zp_security_destroy (&security);
        zp_config_destroy (&cfg);
        return 1;
    }
    if (timeout > 0)
        fprintf (stderr,
                 "zpregel watch: waiting for the job's broadcast at %s (giving up after %gs "
                 "without an event; --timeout 0 waits for ever)\n",
                 target, timeout);
    else
        fprintf (stderr, "zpregel watch: waiting for the job's broadcast at %s\n", target);
    int rc = 1;
    zp_event_t e;
    int got;
    while ((got = zp_watch_next (watch, &e, timeout > 0 ? (int) (timeout * 1000) : -1)) == 0) {
        if (e.kind == ZP_EVENT_SYNC && !all)
            continue;
        char now[40];
        s_now (now, sizeof now);
        if (json) {
            printf ("{\"seq\":%" PRIu64 ",\"event\":\"%s\",\"step\":%u,"
                    "\"active\":%" PRIu64 ",\"messages\":%" PRIu64 ",\"status\":%u,"
                    "\"plan_version\":%" PRIu64 ",\"slowest_worker\":",
                    e.seq, zp_event_name (e.kind), e.step, e.active, e.messages, e.status,
                    e.plan_version);
            zp_json_string (stdout, e.slowest);
            printf (",\"slowest_compute_seconds\":%.6f,\"time\":\"%s\"}\n", e.slowest_seconds, now);
        } else if (e.kind == ZP_EVENT_BEGIN && e.step == 0)
            printf ("%6" PRIu64 "  begin      superstep 0\n", e.seq);
        else if (e.kind == ZP_EVENT_BEGIN)
            printf ("%6" PRIu64 "  begin      superstep %u (after superstep %u: %" PRIu64
                    " active, %" PRIu64 " messages; slowest %s, %.4fs computing)\n",
                    e.seq, e.step, e.step - 1, e.active, e.messages, e.slowest, e.slowest_seconds);
        else if (e.kind == ZP_EVENT_TERMINATE)
            printf ("%6" PRIu64 "  terminate  %s after superstep %u (%" PRIu64 " active, %" PRIu64
                    " messages)%s%s\n",
                    e.seq,
                    e.status == ZP_STATUS_LOST ? "failed (a node was lost)"
                    : e.status                 ? "failed"
                                               : "finished",
                    e.step, e.active, e.messages, e.reason[0] ? ": " : "", e.reason);
        else if (e.kind == ZP_EVENT_PLAN)
            printf ("%6" PRIu64 "  plan       version %" PRIu64 "\n", e.seq, e.plan_version);
        else if (e.kind == ZP_EVENT_CHECKPOINT)
            printf ("%6" PRIu64 "  checkpoint of superstep %u complete\n", e.seq, e.step);
        else
            printf ("%6" PRIu64 "  %-10s superstep %u\n", e.seq, zp_event_name (e.kind), e.step);
        fflush (stdout);
        if (e.kind == ZP_EVENT_TERMINATE) {
            rc = e.status ? 1 : 0;
            break;
        }
    }
    if (got == 1)
        fprintf (stderr, "zpregel watch: no event for %gs from %s\n", timeout, target);
    zp_watch_destroy (&watch);
    zp_security_destroy (&security);
    zp_config_destroy (&cfg);
    return rc;
}

static void s_print_cost (const char *what, const zp_plan_cost_t *c)
{
    printf ("  %-12s %12.0f %12.0f %14.0f %14.0f %14.1f\n", what, c->connections, c->frames,
            c->bytes, c->busiest_link, c->cost);
}

static int s_cmd_plan (int argc, char **argv)
{
    static const struct option longopts[] = {
        {"traffic", required_argument, NULL, 't'}, {"dot", required_argument, NULL, 'd'},
        {"routers", required_argument, NULL, 'r'}, {"set", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char **overrides = calloc ((size_t) argc, sizeof *overrides);
    size_t n_overrides = 0;
    const char *traffic_path = NULL, *dot_path = NULL;
    long routers = -1;
    int c;
    optind = 1;
    while ((c = getopt_long (argc, argv, "t:d:r:s:h", longopts, NULL)) != -1) {
        char *end;
        if (c == 't')
            traffic_path = optarg;
        else if (c == 'd')
            dot_path = optarg;
        else if (c == 'r' && (routers = strtol (optarg, &end, 10), *end == 0 && routers >= 0))
            ;
        else if (c == 's')
            overrides[n_overrides++] = optarg;
        else {
            FILE *out = c == 'h' ? stdout : stderr;
            fprintf (
                out,
                "usage: zpregel plan [JOB.yaml] [--traffic FILE] [--routers N] [--dot FILE]\n"
                "                    [--set key=value]...\n\n"
                "Plans the routes between a job's workers (direct, aggregated through a router,\n"
                "or load-balanced over the routers) and prices the plan against all-direct and\n"
                "all-routed with the cost model of docs/ROUTING.md.\n\n"
                "  -t, --traffic FILE  traffic lines as written by 'zpregel run --stats' or\n"
                "                      'zpregel gen traffic' (default: estimated from JOB's "
                "graph)\n"
                "  -r, --routers N     without JOB.yaml: the size of the router pool\n"
                "  -d, --dot FILE      write a Graphviz picture of nodes and routes\n");
            free (overrides);
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind < argc - 1 || (optind == argc && !traffic_path)) {
        fprintf (stderr, "zpregel plan: expected JOB.yaml, or --traffic FILE and --routers N\n");
        free (overrides);
        return 2;
    }
    char err[2048];
    zp_config_t *cfg = NULL;
    zp_traffic_matrix_t tm = {0};
    zp_plan_options_t opt = zp_plan_defaults ();
    int rc = 1;
    uint32_t nw = 0, nr = 0;
    char **names = NULL, **process = NULL, **host = NULL;
    uint64_t *vertices = NULL;
    const char *source = traffic_path;
    if (optind == argc - 1) {
        if (!(cfg = zp_config_load (argv[optind], overrides, n_overrides, err, sizeof err))) {
            fprintf (stderr, "zpregel: %s\n", err);
            free (overrides);
            return 1;
        }
        opt = zp_plan_options_of (cfg);
        nw = (uint32_t) cfg->n_workers;
        nr = (uint32_t) cfg->n_routers;
    }
    if (traffic_path && zp_traffic_read (traffic_path, &tm, err, sizeof err) != 0) {
        fprintf (stderr, "zpregel: %s\n", err);
        goto done;
    }
    if (cfg && traffic_path && tm.n != nw) {
        fprintf (stderr, "zpregel: %s has %u workers, %s has %u\n", traffic_path, tm.n, cfg->path,
                 nw);
        goto done;
    }
    if (!cfg) {
        nw = tm.n;
        if (routers < 0) {
            fprintf (stderr,
                     "zpregel plan: without JOB.yaml, say how many routers (--routers N)\n");
            goto done;
        }
        nr = (uint32_t) routers;
    }
    names = calloc (nw + nr, sizeof *names);
    process = calloc (nw + nr, sizeof *process);
    host = calloc (nw + nr, sizeof *host);
    if (!names || !process || !host)
        goto done;
    /* Where each node runs: inproc nodes share the master's process and host. */
    for (uint32_t i = 0; i < nw + nr; i++) {
        bool router = i >= nw;
        const zp_worker_config_t *n =
            cfg ? (router ? &cfg->routers[i - nw] : &cfg->workers[i]) : NULL;
        const char *master_host = cfg && cfg->master_host ? cfg->master_host : "localhost";
        names[i] =
            n ? strdup (n->name) : zsys_sprintf ("%c%u", router ? 'r' : 'w', router ? i - nw : i);
        if (!n) {
            process[i] = zsys_sprintf ("p%u", i);
            host[i] = zsys_sprintf ("%s%u", router ? "router-host" : "host", router ? i - nw : i);
        } else if (n->transport == ZP_TRANSPORT_INPROC) {
            process[i] = strdup ("master");
            host[i] = strdup (master_host);
        } else {
            process[i] = zsys_sprintf ("tcp:%s", n->name);
            host[i] = strdup (n->host ? n->host : "localhost");
        }
    }
    if (cfg && !traffic_path) {
        /* Estimate from the graph, placed as the job would place it. */
        zp_graph_source_t src = {cfg->graph, cfg->format, cfg->directed < 0 ? 1 : cfg->directed,
                                 NULL, false};
        zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
        if (!g) {
            fprintf (stderr, "zpregel: %s\n", err);
            goto done;
        }
        zp_layout_t *l = zp_job_layout (cfg, g);
        int ok = l ? zp_layout_estimate_traffic (l, g, 16, &tm) : -1;
        if (l) {
            vertices = calloc (nw, sizeof *vertices);
            for (uint32_t w = 0; vertices && w < nw; w++)
                vertices[w] = l->ranges[w + 1] - l->ranges[w];
        }
        zp_layout_destroy (&l);
        zp_graph_destroy (&g);
        if (ok != 0) {
            fprintf (stderr, "zpregel: out of memory estimating the traffic\n");
            goto done;
        }
        source = "estimated from the graph (one combined message per edge)";
    }
    zp_topology_t topo = {nw,
                          nr,
                          (const char *const *) process,
                          (const char *const *) host,
                          (const char *const *) host + nw,
                          vertices};
    zp_plan_t *plan = zp_plan_new (&tm, &topo, &opt);
    zp_plan_t *direct = zp_plan_uniform (&topo, ZP_ROUTE_DIRECT);
    zp_plan_t *routed = zp_plan_uniform (&topo, ZP_ROUTE_AGGREGATED);
    if (!plan || !direct || !routed) {
        fprintf (stderr, "zpregel: out of memory planning\n");
        zp_plan_destroy (&plan);
        zp_plan_destroy (&direct);
        zp_plan_destroy (&routed);
        goto done;
    }
    zp_plan_cost_t cp, cd, cr;
    zp_plan_cost (plan, &tm, &topo, &opt, &cp);
    zp_plan_cost (direct, &tm, &topo, &opt, &cd);
    zp_plan_cost (routed, &tm, &topo, &opt, &cr);
    static const char *const modes[] = {"auto", "direct", "aggregated", "load_balanced"};
    printf ("route plan for %u workers and %u routers (routing.mode %s)\n", nw, nr,
            modes[opt.mode]);
    printf ("traffic: %s\n", source);
    /* Pairs in one process talk inproc, always direct, and cost nothing. */
    uint64_t with_traffic = 0;
    for (uint32_t i = 0; i < nw; i++)
        for (uint32_t j = 0; j < nw; j++)
            with_traffic += i != j && tm.bytes[(size_t) i * nw + j] > 0;
    uint64_t between = cp.routes[0] + cp.routes[1] + cp.routes[2];
    printf ("pairs with traffic between processes: %" PRIu64 " direct, %" PRIu64
            " aggregated, %" PRIu64 " load-balanced; %" PRIu64
            " within a process (inproc, direct)\n\n",
            cp.routes[0], cp.routes[1], cp.routes[2], with_traffic - between);
    printf ("  %-12s %12s %12s %14s %14s %14s\n", "per superstep", "connections", "frames", "bytes",
            "busiest link", "cost");
    s_print_cost ("plan", &cp);
    s_print_cost ("all-direct", &cd);
    s_print_cost ("all-routed", &cr);
    printf ("\nthe plan costs %.1f%% of all-direct and %.1f%% of all-routed\n",
            100 * cp.cost / cd.cost, 100 * cp.cost / cr.cost);
    if (nw <= 16) {
        printf ("\nroutes (sender -> receiver):\n");
        for (uint32_t i = 0; i < nw; i++)
            for (uint32_t j = 0; j < nw; j++) {
                if (i == j)
                    continue;
                uint32_t route = plan->routes[(size_t) i * nw + j];
                zp_route_kind_t kind = zp_route_kind (route);
                printf ("  %-12s -> %-12s %s%s%s  (%.0f messages, %.0f bytes)\n", names[i],
                        names[j],
                        kind == ZP_ROUTE_DIRECT       ? "direct"
                        : kind == ZP_ROUTE_AGGREGATED ? "aggregated via "
                                                      : "load-balanced via ",
                        kind == ZP_ROUTE_DIRECT ? "" : names[nw + zp_route_router (route)], "",
                        tm.messages[(size_t) i * nw + j], tm.bytes[(size_t) i * nw + j]);
            }
    }
    rc = 0;
    if (dot_path) {
        FILE *dot = fopen (dot_path, "w");
        if (!dot) {
            fprintf (stderr, "zpregel: %s: cannot write: %s\n", dot_path, strerror (errno));
            rc = 1;
        } else {
            zp_plan_write_dot (dot, plan, &tm, &topo, (const char *const *) names,
                               (const char *const *) names + nw);
            fclose (dot);
        }
    }
    zp_plan_destroy (&plan);
    zp_plan_destroy (&direct);
    zp_plan_destroy (&routed);
done:
    for (uint32_t i = 0; names && i < nw + nr; i++) {
        free (names[i]);
        free (process[i]);
        free (host[i]);
    }
    free (names);
    free (process);
    free (host);
    free (vertices);
    zp_traffic_free (&tm);
    zp_config_destroy (&cfg);
    free (overrides);
    return rc;
}

static int s_cmd_gen_rmat (int argc, char **argv)
{
    static const struct option longopts[] = {
        {"scale", required_argument, NULL, 's'}, {"edge-factor", required_argument, NULL, 'e'},
        {"seed", required_argument, NULL, 'S'},  {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    unsigned long scale = 0, factor = 16, seed = 1;
    const char *prefix = NULL;
    bool help = false, bad = false;
    int c;
    optind = 2;
    while ((c = getopt_long (argc, argv, "s:e:S:o:h", longopts, NULL)) != -1) {
        char *end;
        unsigned long *field = c == 's' ? &scale : c == 'e' ? &factor : c == 'S' ? &seed : NULL;
        if (c == 'o')
            prefix = optarg;
        else if (c == 'h')
            help = true;
        else if (!field || (*field = strtoul (optarg, &end, 10), *end != 0 || optarg[0] == '-')) {
            if (field)
                fprintf (stderr, "zpregel gen rmat: expected a whole number, got \"%s\"\n", optarg);
            bad = true;
        }
    }
    if (help || bad || !prefix || !scale || optind < argc) {
        fprintf (help ? stdout : stderr,
                 "usage: zpregel gen rmat --scale S [--edge-factor E] [--seed N] -o PREFIX\n\n"
                 "Writes a Graph500-style R-MAT graph with 2^S vertices and about E x 2^S\n"
                 "directed edges (default E = 16; a=0.57, b=0.19, c=0.19; ids permuted;\n"
                 "self-loops and repeated edges removed) as PREFIX.v, PREFIX.e and\n"
                 "PREFIX.properties (LDBC Graphalytics) and PREFIX.zpg (binary, fast to load).\n");
        return help ? 0 : 2;
    }
    char err[1024];
    int64_t t0 = zclock_usecs ();
    zp_graph_t *g = zp_gen_rmat ((uint32_t) scale, (uint32_t) factor, seed, err, sizeof err);
    if (!g) {
        fprintf (stderr, "zpregel: %s\n", err);
        return 1;
    }
    double gen = (double) (zclock_usecs () - t0) / 1e6;
    t0 = zclock_usecs ();
    int rc = zp_gen_write (g, prefix, err, sizeof err);
    if (rc != 0)
        fprintf (stderr, "zpregel: %s\n", err);
    else
        printf ("%s: %" PRIu64 " vertices, %" PRIu64 " edges (%" PRIu64 " self-loops and %" PRIu64
                " repeats dropped); generated in %.2f s, written in %.2f s\n",
                prefix, g->n, g->edges, g->dropped_self_loops, g->dropped_duplicates, gen,
                (double) (zclock_usecs () - t0) / 1e6);
    zp_graph_destroy (&g);
    return rc == 0 ? 0 : 1;
}

static int s_cmd_gen (int argc, char **argv)
{
    if (argc > 1 && streq (argv[1], "rmat"))
        return s_cmd_gen_rmat (argc, argv);
    if (argc < 2 || !streq (argv[1], "traffic")) {
        /* No subcommand, or help for `gen` itself: both. */
        bool help = argc == 2 && (streq (argv[1], "--help") || streq (argv[1], "-h"));
        fprintf (help ? stdout : stderr,
                 "usage: zpregel gen rmat --scale S [--edge-factor E] [--seed N] -o PREFIX\n"
                 "       zpregel gen traffic --workers N -o FILE [--alpha A] [--fanout F]\n"
                 "                           [--messages M] [--seed S]\n\n"
                 "gen rmat writes a Graph500 R-MAT graph; gen traffic a synthetic traffic\n"
                 "matrix for 'zpregel plan --traffic'. 'zpregel gen rmat --help' and\n"
                 "'zpregel gen traffic --help' say more.\n");
        return help ? 0 : 2;
    }
    static const struct option longopts[] = {
        {"workers", required_argument, NULL, 'w'}, {"alpha", required_argument, NULL, 'a'},
        {"fanout", required_argument, NULL, 'f'},  {"messages", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 'S'},    {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    double workers = 1024, alpha = 1.2, fanout = 64, messages = 1e8, seed = 1;
    const char *output = NULL;
    bool help = false, bad = argc < 2 || !streq (argv[1], "traffic");
    int c;
    optind = 2;
    while (!bad && (c = getopt_long (argc, argv, "w:a:f:m:S:o:h", longopts, NULL)) != -1) {
        double *field = c == 'w'   ? &workers
                        : c == 'a' ? &alpha
                        : c == 'f' ? &fanout
                        : c == 'm' ? &messages
                        : c == 'S' ? &seed
                                   : NULL;
        char *end;
        if (c == 'o')
            output = optarg;
        else if (c == 'h')
            help = true;
        else if (!field)
            bad = true;
        else if ((*field = strtod (optarg, &end), *end != 0 || *field < 0)) {
            fprintf (stderr, "zpregel gen traffic: expected a number >= 0, got \"%s\"\n", optarg);
            bad = true;
        }
    }
    if (help || bad || !output || optind < argc || workers < 2 || workers > 65536) {
        FILE *out = help ? stdout : stderr;
        fprintf (out,
                 "usage: zpregel gen traffic --workers N -o FILE [--alpha A] [--fanout F]\n"
                 "                           [--messages M] [--seed S]\n\n"
                 "Writes a synthetic power-law traffic matrix for N workers (2 to 65536) as a\n"
                 "traffic line that 'zpregel plan --traffic' reads: worker activity and\n"
                 "popularity follow Zipf laws with exponent A (default 1.2); each worker sends\n"
                 "to F receivers (default 64); M messages a superstep in all (default 1e8),\n"
                 "16 bytes each.\n");
        return help ? 0 : 2;
    }
    zp_traffic_matrix_t m;
    if (zp_traffic_generate ((uint32_t) workers, alpha, (uint32_t) fanout, messages, 16,
                             (uint64_t) seed, &m) != 0) {
        fprintf (stderr, "zpregel: out of memory\n");
        return 1;
    }
    FILE *out = fopen (output, "w");
    if (!out) {
        fprintf (stderr, "zpregel: %s: cannot write: %s\n", output, strerror (errno));
        zp_traffic_free (&m);
        return 1;
    }
    zp_traffic_write_matrix (out, &m);
    int rc = fclose (out) == 0 ? 0 : 1;
    zp_traffic_free (&m);
    return rc;
}

static const char *s_type_word (zp_type_t type)
{
    switch (type) {
    case ZP_F64:
        return "f64";
    case ZP_I64:
        return "i64";
    case ZP_U64:
        return "u64";
    case ZP_BYTES:
        return "bytes";
    case ZP_VERTEX:
        return "vertex";
    case ZP_STRUCT:
        return "struct";
    }
    return "?";
}

static void s_print_program (const zp_program_t *p, bool json)
{
    const char *name = zp_program_own_name (p);
    bool file = strcmp (name, p->name) != 0; /* a shared object, registered by its path */
    if (json) {
        printf ("{\"name\":");
        zp_json_string (stdout, name);
        if (file) {
            printf (",\"file\":");
            zp_json_string (stdout, p->name);
        }
        printf (",\"description\":");
        zp_json_string (stdout, p->description);
        printf (",\"api_version\":%d,\"value_type\":\"%s\",\"message_type\":\"%s\",\"params\":[",
                p->api_version, s_type_word (p->value_type), s_type_word (p->message_type));
    } else if (file)
        printf ("%s (%s) %s\n", name, p->name, p->description ? p->description : "");
    else
        printf ("%-6s %s\n", name, p->description ? p->description : "");
    for (size_t k = 0; k < p->n_params; k++) {
        const zp_param_def_t *d = &p->params[k];
        char def[64];
        zp_format_value (def, sizeof def, d->fallback, d->type == ZP_VERTEX ? ZP_U64 : d->type);
        if (json) {
            printf ("%s{\"name\":", k ? "," : "");
            zp_json_string (stdout, d->name);
            printf (",\"type\":\"%s\",\"property\":", s_type_word (d->type));
            if (d->property)
                zp_json_string (stdout, d->property);
            else
                printf ("null");
            printf (",\"required\":%s,\"default\":", d->required ? "true" : "false");
            if (d->required)
                printf ("null");
            else
                zp_json_string (stdout, def);
            printf (",\"help\":");
            zp_json_string (stdout, d->help);
            printf ("}");
        } else
            printf ("         job.params.%-12s %s (from %s; default %s)\n", d->name,
                    d->help ? d->help : "", d->property ? d->property : "-",
                    d->required ? "none, required" : def);
    }
    /* Every program that reads edge weights takes the job's weight column
       by name (the loader reads it, not the program: zp_job.c). */
    if (p->flags & ZP_NEEDS_WEIGHTS) {
        const char *help = "name of the edge property that holds the weights";
        if (json) {
            printf ("%s{\"name\":\"weight_property\",\"type\":\"text\",\"property\":",
                    p->n_params ? "," : "");
            if (p->weight_property)
                zp_json_string (stdout, p->weight_property);
            else
                printf ("null");
            printf (",\"required\":false,\"default\":\"weight\",\"help\":");
            zp_json_string (stdout, help);
            printf ("}");
        } else
            printf ("         job.params.%-12s %s (from %s; default weight)\n", "weight_property",
                    help, p->weight_property ? p->weight_property : "-");
    }
    if (json)
        printf ("]}\n");
}

static int s_cmd_programs (int argc, char **argv)
{
    bool json = false;
    int named = 0;
    for (int i = 1; i < argc; i++) {
        if (streq (argv[i], "--help") || streq (argv[i], "-h")) {
            printf ("usage: zpregel programs [--json] [NAME|PATH.so]...\n\n"
                    "Lists vertex programs and their parameters: the built-in ones, or those\n"
                    "named (a built-in's name, or a shared object's path, which is loaded and\n"
                    "checked as a job would). --json: one JSON object per program.\n");
            return 0;
        }
        if (streq (argv[i], "--json"))
            json = true;
        else if (argv[i][0] == '-') {
            fprintf (stderr, "zpregel programs: unknown option %s (see --help)\n", argv[i]);
            return 2;
        } else
            named++;
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        char err[1024];
        const zp_program_t *p = zp_program_load (argv[i], err, sizeof err);
        if (!p) {
            fprintf (stderr, "zpregel: %s\n", err);
            return 1;
        }
        s_print_program (p, json);
    }
    if (!named) {
        const zp_program_t *const *all = zp_program_builtins ();
        for (int i = 0; all[i]; i++)
            s_print_program (all[i], json);
    }
    return 0;
}

static int s_cmd_keygen (int argc, char **argv)
{
    if (argc != 2 || streq (argv[1], "--help") || streq (argv[1], "-h")) {
        bool help = argc == 2;
        fprintf (help ? stdout : stderr,
                 "usage: zpregel keygen PATH\n\n"
                 "Writes a new CURVE certificate: PATH holds its public key (give it to the\n"
                 "security.allowed directory of the servers it connects to, or as\n"
                 "security.server_cert to the clients), PATH_secret both keys (keep it on\n"
                 "the hosts that use it, readable by its user only).\n");
        return help ? 0 : 2;
    }
    char err[1024];
    if (zp_security_keygen (argv[1], err, sizeof err) != 0) {
        fprintf (stderr, "zpregel: %s\n", err);
        return 1;
    }
    printf ("wrote %s and %s_secret\n", argv[1], argv[1]);
    return 0;
}

/* Every node of a job allocates and frees a frame of up to twice
   engine.batch_bytes for each batch it sends. With glibc's defaults a
   block of that size may be mapped on malloc and unmapped on free, or
   given back from the top of the heap, and then every page of the next
   frame faults in again (perf, 2 inproc workers at scale 20: the faults
   sat under the packing of every batch). Blocks under 4 MiB come from
   the heap, which keeps up to 32 MiB it no longer uses; larger ones (the
   graph, the partitions) are still mapped, and given back when freed.
   GLIBC_TUNABLES with malloc settings leaves the choice to the user. */
static void s_malloc_setup (void)
{
#ifdef __GLIBC__
    const char *tunables = getenv ("GLIBC_TUNABLES");
    if (tunables && strstr (tunables, "glibc.malloc."))
        return;
    mallopt (M_MMAP_THRESHOLD, 4 << 20);
    mallopt (M_TRIM_THRESHOLD, 32 << 20);
#endif
}

int main (int argc, char **argv)
{
    s_malloc_setup ();
    /* SIGINT and SIGTERM set zsys_interrupted, as czmq's own handler does,
       and are remembered for the exit status (128 + signal). Logs go to
       stderr. */
    zsys_init ();
    zp_process_catch_signals ();
    zsys_set_logident ("zpregel");
    zsys_set_logstream (stderr);
    if (s_log_level (&argc, argv) != 0)
        return 2;
    if (argc < 2) {
        s_usage_main (stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (streq (cmd, "run") || streq (cmd, "master"))
        return s_cmd_run (argc - 1, argv + 1, streq (cmd, "run"));
    if (streq (cmd, "worker") || streq (cmd, "router") || streq (cmd, "launch"))
        return s_cmd_node (argc - 1, argv + 1, cmd);
    if (streq (cmd, "watch"))
        return s_cmd_watch (argc - 1, argv + 1);
    if (streq (cmd, "plan"))
        return s_cmd_plan (argc - 1, argv + 1);
    if (streq (cmd, "gen"))
        return s_cmd_gen (argc - 1, argv + 1);
    if (streq (cmd, "programs"))
        return s_cmd_programs (argc - 1, argv + 1);
    if (streq (cmd, "keygen"))
        return s_cmd_keygen (argc - 1, argv + 1);
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

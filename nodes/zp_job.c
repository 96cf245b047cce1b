/*  zp_job: one job, every node in this process.

    The data flows one way: config -> program and parameters -> graph ->
    layout -> master and workers -> values -> output file. The master and the
    workers are the same actors that run alone in tcp processes; here they
    talk over inproc endpoints named after a random job id, so two jobs in
    one process never meet.
*/
#include "zp_actor.h"
#include "zp_job_internal.h"
#include "zp_settings.h"
#include "zp_log.h"
#include "zp_checkpoint.h"
#include "zp_history.h"
#include "zp_params.h"
#include "zp_http.h"
#include "zp_master.h"
#include "zp_process.h"
#include "zp_router.h"
#include "zpregel/zp_security.h"
#include "zp_worker.h"
#include "zp_endpoint.h"
#include "zp_grow.h"
#include "zp_output.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* The job parameter that names the weight column for ZP_NEEDS_WEIGHTS programs. */
#define S_WEIGHT "weight_property"

/* Which edge property to load as the weight, for ZP_NEEDS_WEIGHTS programs:
   job.params.weight_property, else the properties key the program names,
   else "weight". Needs the properties, so it is read after a first look at them. */
static const char *s_weight_property (const zp_config_t *cfg, const zp_program_t *program,
                                      const zp_properties_t *props)
{
    if (!(program->flags & ZP_NEEDS_WEIGHTS))
        return NULL;
    const zp_param_config_t *given = zp_config_param (cfg, S_WEIGHT);
    if (given)
        return given->value;
    const char *named = props && program->weight_property
                            ? zp_properties_get (props, program->weight_property)
                            : NULL;
    return named ? named : "weight";
}

static int s_parse_param (const zp_param_def_t *def, const char *text, zp_value_t *out)
{
    char *end;
    errno = 0;
    if (def->type == ZP_F64) {
        double v = strtod (text, &end);
        if (end == text || *end || errno || !isfinite (v))
            return -1;
        out->f64 = v;
    } else if (def->type == ZP_U64 || def->type == ZP_VERTEX) {
        /* strtoull takes "-1" as 2^64 - 1: a sign is refused before it. */
        while (isspace ((unsigned char) *text))
            text++;
        if (*text == '-' || *text == '+')
            return -1;
        unsigned long long v = strtoull (text, &end, 10);
        if (end == text || *end || errno)
            return -1;
        out->u64 = v;
    } else {
        long long v = strtoll (text, &end, 10);
        if (end == text || *end || errno)
            return -1;
        out->i64 = v;
    }
    return 0;
}

static void s_param_names (const zp_program_t *p, char *buf, size_t len)
{
    buf[0] = 0;
    for (size_t i = 0; i < p->n_params; i++) {
        size_t at = strlen (buf);
        snprintf (buf + at, len - at, "%s%s", i ? ", " : "", p->params[i].name);
    }
    if (!p->n_params)
        snprintf (buf, len, "none");
}

int zp_job_resolve_params (const zp_config_t *cfg, const zp_program_t *program,
                           const zp_properties_t *props, const zp_graph_t *g, zp_value_t *values,
                           char *err, size_t errlen)
{
    char names[512];
    s_param_names (program, names, sizeof names);
    for (size_t i = 0; i < cfg->n_params; i++) {
        if ((program->flags & ZP_NEEDS_WEIGHTS) && strcmp (cfg->params[i].name, S_WEIGHT) == 0)
            continue; /* read by the loader: see s_weight_property */
        size_t k = 0;
        while (k < program->n_params && strcmp (program->params[k].name, cfg->params[i].name) != 0)
            k++;
        if (k == program->n_params) {
            snprintf (err, errlen, "%s: job.params.%s: not a parameter of %s (its parameters: %s)",
                      cfg->params[i].origin, cfg->params[i].name, program->name, names);
            return -1;
        }
    }
    for (size_t k = 0; k < program->n_params; k++) {
        const zp_param_def_t *def = &program->params[k];
        const zp_param_config_t *given = zp_config_param (cfg, def->name);
        const char *text = given ? given->value : NULL;
        const char *what = def->type == ZP_F64   ? "a number"
                           : def->type == ZP_I64 ? "a whole number"
                           : def->type == ZP_VERTEX
                               ? "a vertex id (0 to 18446744073709551615)"
                               : "a whole number from 0 to 18446744073709551615";
        if (given && def->type == ZP_VERTEX && g && g->names) {
            /* The vertices have names: a vertex parameter gives one. */
            int64_t at = zp_graph_find_name (g, text);
            if (at < 0) {
                snprintf (err, errlen, "%s: job.params.%s: no vertex is named \"%s\" in %s",
                          given->origin, def->name, text, cfg->graph);
                return -1;
            }
            values[k].u64 = g->ids[at];
        } else if (given) {
            if (s_parse_param (def, text, &values[k]) != 0) {
                snprintf (err, errlen, "%s: job.params.%s: expected %s, got \"%s\"", given->origin,
                          def->name, what, text);
                return -1;
            }
        } else if (props && def->property && (text = zp_properties_get (props, def->property))) {
            if (s_parse_param (def, text, &values[k]) != 0) {
                snprintf (err, errlen, "%s: graph.%s.%s: expected %s, got \"%s\"",
                          zp_properties_origin (props, def->property), zp_properties_name (props),
                          def->property, what, text);
                return -1;
            }
        } else if (def->required) {
            snprintf (err, errlen,
                      "%s: job.params.%s: required by %s (%s), and the graph's properties do not "
                      "give it",
                      cfg->path, def->name, program->name, def->help ? def->help : "no default");
            return -1;
        } else
            values[k] = def->fallback;
    }
    return 0;
}

/* A vertex parameter (a BFS source) names a vertex of the graph: one that is
   not there would make every vertex unreachable, a plausible wrong answer. */
static int s_check_vertex_params (const zp_config_t *cfg, const zp_program_t *program,
                                  const zp_properties_t *props, const zp_value_t *values,
                                  const zp_graph_t *g, char *err, size_t errlen)
{
    for (size_t k = 0; k < program->n_params; k++) {
        const zp_param_def_t *def = &program->params[k];
        if (def->type != ZP_VERTEX || zp_graph_index (g, values[k].u64) >= 0)
            continue;
        const zp_param_config_t *given = zp_config_param (cfg, def->name);
        if (given)
            snprintf (err, errlen, "%s: job.params.%s: vertex %" PRIu64 " is not in the graph %s",
                      given->origin, def->name, values[k].u64, cfg->graph);
        else
            snprintf (err, errlen, "%s: graph.%s.%s: vertex %" PRIu64 " is not in the graph",
                      props ? zp_properties_origin (props, def->property) : cfg->path,
                      props ? zp_properties_name (props) : "?", def->property, values[k].u64);
        return -1;
    }
    return 0;
}

zp_placement_t zp_job_placement (const zp_config_t *cfg, double *weights)
{
    for (size_t w = 0; w < cfg->n_workers; w++)
        weights[w] = cfg->workers[w].weight;
    return (zp_placement_t){.vertices = (zp_balancer_t) cfg->place_vertices,
                            .workers = (zp_balancer_t) cfg->place_workers,
                            .by_edges = cfg->balance_edges == 1,
                            .weights = weights};
}

zp_layout_t *zp_job_layout (const zp_config_t *cfg, const zp_graph_t *g)
{
    uint32_t n = (uint32_t) cfg->n_workers;
    double *weights = malloc ((n ? n : 1) * sizeof *weights);
    zp_placement_t how = weights ? zp_job_placement (cfg, weights) : (zp_placement_t){0};
    zp_layout_t *l =
        weights ? zp_layout_new (g, n, cfg->partitions ? cfg->partitions : 16 * n, &how) : NULL;
    free (weights);
    return l;
}

/* Keeps the ZP_JOB_TOP largest finite values, largest first, ties by smaller id. */
static void s_top (zp_job_summary_t *s, const zp_graph_t *g, const zp_value_t *values)
{
    s->n_top = 0;
    for (uint64_t i = 0; i < g->n; i++) {
        double v = values[i].f64;
        if (!isfinite (v))
            continue;
        size_t at = s->n_top;
        while (at > 0 && s->top_values[at - 1].f64 < v)
            at--;
        if (at >= ZP_JOB_TOP)
            continue;
        size_t last = s->n_top < ZP_JOB_TOP ? s->n_top : ZP_JOB_TOP - 1;
        memmove (s->top_values + at + 1, s->top_values + at, (last - at) * sizeof *s->top_values);
        memmove (s->top_ids + at + 1, s->top_ids + at, (last - at) * sizeof *s->top_ids);
        s->top_values[at] = values[i];
        s->top_ids[at] = g->ids[i];
        if (s->n_top < ZP_JOB_TOP)
            s->n_top++;
    }
}

void zp_job_summary_free (zp_job_summary_t *summary)
{
    free (summary->vertices_of);
    free (summary->edges_of);
    free (summary->routers);
    free (summary->ids);
    free (summary->values);
    free (summary->names);
    free (summary->name_at);
    summary->vertices_of = summary->edges_of = NULL;
    summary->routers = NULL;
    summary->ids = NULL;
    summary->values = NULL;
    summary->names = NULL;
    summary->name_at = NULL;
    summary->n_values = 0;
}

const char *zp_job_summary_name (const zp_job_summary_t *summary, uint64_t i)
{
    return summary->names && i < summary->n_values ? summary->names + summary->name_at[i] : NULL;
}

pid_t zp_job_spawn_node (const char *exe, const zp_config_t *cfg, bool router, const char *name,
                         const char *const *overrides, size_t n_overrides)
{
    const char *argv[6 + 2 * n_overrides];
    size_t at = 0;
    argv[at++] = exe;
    argv[at++] = router ? "router" : "worker";
    argv[at++] = cfg->path;
    argv[at++] = "--name";
    argv[at++] = name;
    for (size_t i = 0; i < n_overrides; i++) {
        argv[at++] = "--set";
        argv[at++] = overrides[i];
    }
    argv[at] = NULL;
    return zp_process_spawn (argv);
}

/* What each superstep sent, by superstep: a superstep computed again after
   a recovery replaces its first run, so the summary counts it once. */
typedef struct {
    uint64_t messages, bytes, batches, mirrored;
} s_sent_t;

typedef struct {
    s_sent_t *steps;
    size_t n, cap;
} s_totals_t;

/* The context of one run of the nodes: the nodes still in the job (indices
   into the config's workers and routers, in the order the layout numbers
   the workers) and where the vertices are. */
typedef struct {
    const zp_config_t *cfg;
    const zp_job_options_t *options;
    const zp_program_t *program;
    zp_graph_t *g;
    const zp_graph_source_t *source; /* to load its edges again (zp_graph_reload_edges) */
    zp_layout_t *layout;
    const zp_value_t *params;
    const zp_traffic_matrix_t *estimate;
    zp_job_summary_t *summary;
    uint32_t n_workers, n_routers;
    uint32_t *workers, *routers;
    bool recovering;
    s_totals_t *totals;
    const zp_security_t *security;
    zp_status_t *status;   /* for master.http and master.history, or NULL */
    zp_history_t *history; /* master.history's record, or NULL */
    uint32_t planned;      /* supersteps the program says the job takes, or 0 */
} s_job_t;

/* Node k of a run (its workers, then its routers): its config and its
   index among the config's workers, then routers. */
static const zp_worker_config_t *s_node (const s_job_t *j, uint32_t k, uint32_t *index)
{
    bool router = k >= j->n_workers;
    uint32_t i = router ? j->routers[k - j->n_workers] : j->workers[k];
    if (index)
        *index = router ? (uint32_t) j->cfg->n_workers + i : i;
    return router ? &j->cfg->routers[i] : &j->cfg->workers[i];
}

int zp_job_estimate_traffic (const zp_config_t *cfg, const zp_layout_t *layout, const zp_graph_t *g,
                             const char *const *hosts, zp_traffic_matrix_t *m)
{
    uint32_t n = layout->n_workers, groups = 0;
    uint32_t *group_of = calloc (n ? n : 1, sizeof *group_of);
    const char **names = calloc (n ? n : 1, sizeof *names);
    if (!group_of || !names) {
        free (group_of);
        free (names);
        return -1;
    }
    for (uint32_t w = 0; w < n; w++) {
        const char *rack = hosts ? zp_config_rack (cfg, hosts[w]) : NULL;
        uint32_t k = 0;
        while (rack && k < groups && strcmp (names[k], rack) != 0)
            k++;
        if (rack && k == groups)
            names[groups++] = rack;
        group_of[w] = rack ? k : UINT32_MAX;
    }
    for (uint32_t w = 0; w < n; w++)
        group_of[w] = group_of[w] == UINT32_MAX ? groups : group_of[w]; /* in none */
    int rc = zp_layout_estimate_traffic (layout, g, 16, groups ? group_of : NULL, groups, m);
    free (group_of);
    free (names);
    return rc;
}

/* zp_job_estimate_traffic over the config's workers `workers` (the
   layout's order; NULL: all of them in order), by the hosts their
   `host:` names, as the master's plans see them. */
static int s_estimate (const zp_config_t *cfg, const zp_layout_t *layout, const zp_graph_t *g,
                       const uint32_t *workers, zp_traffic_matrix_t *m)
{
    uint32_t n = layout->n_workers;
    const char **hosts = calloc (n + 1, sizeof *hosts);
    if (!hosts)
        return -1;
    for (uint32_t w = 0; w < n; w++)
        hosts[w] = cfg->workers[workers ? workers[w] : w].host;
    int rc = zp_job_estimate_traffic (cfg, layout, g, hosts, m);
    free (hosts);
    return rc;
}

/* A directory for this user's ipc endpoints, that only the user can enter:
   $XDG_RUNTIME_DIR/zpregel, else /tmp/zpregel-UID. 0, or -1 when it is not
   the user's own (then the job is not watchable from outside). */
/* Whether `dir` is a directory of this user's that no one else may enter
   (made if missing). */
static bool s_private (const char *dir)
{
    mkdir (dir, 0700);
    struct stat st;
    return lstat (dir, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == getuid () &&
           (st.st_mode & 077) == 0;
}

/* The longest path an ipc endpoint may have (a socket address's sun_path). */
#define S_IPC_PATH_MAX (sizeof (((struct sockaddr_un *) 0)->sun_path) - 1)
/* The names s_watch_endpoints gives the sockets in the directory: "/", 16
   hex digits, "-broadcast". */
#define S_IPC_NAME_LEN 27

/* The directory of the ipc endpoints of a job watched from this machine:
   $XDG_RUNTIME_DIR/zpregel, or /tmp/zpregel-UID when that one is not
   private or too long for a socket's address. 0, or -1 (none fits). */
static int s_private_dir (char *dir, size_t len)
{
    const char *runtime = getenv ("XDG_RUNTIME_DIR");
    if (runtime && *runtime) {
        snprintf (dir, len, "%s/zpregel", runtime);
        if (strlen (dir) + S_IPC_NAME_LEN <= S_IPC_PATH_MAX && s_private (dir))
            return 0;
    }
    snprintf (dir, len, "/tmp/zpregel-%u", (unsigned) getuid ());
    return strlen (dir) + S_IPC_NAME_LEN <= S_IPC_PATH_MAX && s_private (dir) ? 0 : -1;
}

/* Removes the socket file of an ipc:// endpoint (which the master bound):
   libzmq leaves it behind. */
static void s_unlink_ipc (const char *endpoint)
{
    if (strncmp (endpoint, "ipc://", 6) == 0)
        unlink (endpoint + 6);
}

/* reliability.checkpoint_dir, made absolute so that nodes started
   elsewhere find the same place ("" if none). */
static void s_checkpoint_dir (const zp_config_t *cfg, char *path, size_t len)
{
    char cwd[ZP_CHECKPOINT_PATH_MAX / 2];
    path[0] = 0;
    if (cfg->checkpoint_dir && cfg->checkpoint_dir[0] != '/' && getcwd (cwd, sizeof cwd))
        snprintf (path, len, "%s/%.2000s", cwd, cfg->checkpoint_dir);
    else if (cfg->checkpoint_dir)
        snprintf (path, len, "%s", cfg->checkpoint_dir);
}

/* Makes the newest checkpoint of this job fit the layout `to`: when it was
   written by workers placed otherwise (workers lost, or the job file lists
   other workers now), its placement is rebuilt from its manifest and it is
   moved (zp_checkpoint_move); with `drop_routes`, its route plan is dropped
   even if the placement is the same. A checkpoint of another job is left
   for the master to refuse by name. A program that is not
   ZP_PLACEMENT_FREE cannot move: with `or_forget` its checkpoints are
   removed (the job starts again from superstep 0), else that is an error.
   0, or -1 with a message. */
static int s_move_checkpoint (const s_job_t *j, const zp_layout_t *to, bool drop_routes,
                              bool or_forget, char *err, size_t errlen)
{
    char dir[ZP_CHECKPOINT_PATH_MAX];
    s_checkpoint_dir (j->cfg, dir, sizeof dir);
    if (!j->cfg->checkpoint_every || !dir[0])
        return 0;
    zp_manifest_t m;
    int found = zp_manifest_newest (dir, &m, err, errlen);
    if (found != 0)
        return found < 0 ? -1 : 0;
    const char *name = j->program->name;
    size_t np = j->program->n_params;
    uint64_t job_fp, to_fp = zp_checkpoint_fingerprint_of (name, j->params, np, to, &job_fp);
    int rc = 0;
    bool placed_otherwise = m.job_fingerprint == job_fp && m.fingerprint != to_fp;
    if (placed_otherwise && !(j->program->flags & ZP_PLACEMENT_FREE)) {
        if (or_forget) {
            zp_log_warning ("%s: the checkpoint cannot move to other workers (the program's "
                            "messages or values hold vertex handles): starting from superstep 0",
                            name);
            zp_checkpoint_clear (dir);
        } else {
            snprintf (err, errlen,
                      "%s: the checkpoint of superstep %u was written by %u workers placed "
                      "otherwise, and cannot move to these %u: %s is not placement-free (its "
                      "messages or values hold vertex handles); resume with the checkpoint's "
                      "workers, or run without --resume",
                      dir, m.step, m.n_workers, to->n_workers, name);
            rc = -1;
        }
    } else if (m.job_fingerprint == job_fp && (placed_otherwise || drop_routes)) {
        zp_placement_t as_written = {
            .vertices = m.vertices, .by_edges = m.by_edges, .worker_of = m.worker_of};
        zp_layout_t *from = zp_layout_new (j->g, m.n_workers, m.n_partitions, &as_written);
        if (!from ||
            zp_checkpoint_fingerprint_of (name, j->params, np, from, NULL) != m.fingerprint) {
            snprintf (err, errlen,
                      "%s: cannot place the graph as the checkpoint of superstep %u was placed",
                      dir, m.step);
            rc = -1;
        } else {
            if (m.fingerprint != to_fp)
                zp_log_info ("moving the checkpoint of superstep %u in %s from %u workers to %u",
                             m.step, dir, m.n_workers, to->n_workers);
            rc = zp_checkpoint_move (dir, &m, from, to, to_fp, err, errlen);
        }
        zp_layout_destroy (&from);
    }
    zp_manifest_free (&m);
    return rc;
}

/* The nodes in lost[] did not come back after a recovery: they leave the
   job. When workers leave, the layout is made again without them (their
   partitions go to the survivors, zp_layout_without) and the newest
   checkpoint is moved to it; when routers leave, the checkpoint's route
   plan is dropped. 0, or -1 with a message. */
static int s_leave (s_job_t *j, const zp_placement_t *how, const uint32_t *lost, size_t n_lost,
                    zp_traffic_matrix_t *estimate, char *err, size_t errlen)
{
    const zp_config_t *cfg = j->cfg;
    uint32_t n = j->n_workers, nr = j->n_routers, left = 0, routers_left = 0;
    bool *gone = calloc ((size_t) n + nr, sizeof *gone);
    double *weights = calloc (n, sizeof *weights);
    zp_layout_t *next = NULL;
    char names[512] = "";
    int rc = -1;
    if (!gone || !weights) {
        snprintf (err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_lost; i++)
        for (uint32_t k = 0; k < n + nr; k++) {
            uint32_t index;
            const zp_worker_config_t *wc = s_node (j, k, &index);
            if (index != lost[i] || gone[k])
                continue;
            gone[k] = true;
            left += k < n;
            routers_left += k >= n;
            size_t at = strlen (names);
            snprintf (names + at, sizeof names - at, "%s%s %s", at ? ", " : "",
                      k < n ? "worker" : "router", wc->name);
        }
    if (left == n) {
        snprintf (err, errlen, "every worker is lost (%s)", names);
        goto done;
    }
    if (!left && !routers_left) {
        rc = 0;
        goto done;
    }
    next = j->layout;
    if (left) {
        for (uint32_t k = 0; k < n; k++)
            weights[k] = cfg->workers[j->workers[k]].weight;
        zp_placement_t p = *how;
        p.weights = how->weights ? weights : NULL;
        if (!(next = zp_layout_without (j->layout, j->g, gone, &p))) {
            snprintf (err, errlen, "out of memory placing the graph again");
            goto done;
        }
    }
    /* Move the checkpoint in force to the new placement. */
    if (s_move_checkpoint (j, next, routers_left > 0, true, err, errlen) != 0)
        goto done;
    zp_log_warning ("%s leave%s the job%s", names, left + routers_left > 1 ? "" : "s",
                    left ? "; the partitions of the lost workers move to the others" : "");
    uint32_t kept = 0, kept_routers = 0;
    for (uint32_t k = 0; k < n + nr; k++)
        if (!gone[k] && k < n)
            j->workers[kept++] = j->workers[k];
        else if (!gone[k])
            j->routers[kept_routers++] = j->routers[k - n];
    j->n_workers = kept;
    j->n_routers = kept_routers;
    j->summary->workers_left += left;
    j->summary->routers_left += routers_left;
    if (next != j->layout) {
        zp_layout_destroy (&j->layout);
        j->layout = next;
    }
    next = NULL;
    zp_traffic_free (estimate);
    if (j->n_routers && s_estimate (j->cfg, j->layout, j->g, j->workers, estimate) != 0) {
        snprintf (err, errlen, "out of memory estimating traffic");
        goto done;
    }
    rc = 0;
done:
    if (next != j->layout)
        zp_layout_destroy (&next);
    free (gone);
    free (weights);
    return rc;
}

/* The master has sent every partition: it keeps the graph's edges only
   to send them again after a recovery, so they go until then
   (s_edges_back); the ids stay for the output. */
static void s_shipped (void *g)
{
    zp_graph_drop_edges (g);
}

/* Before a run that follows a recovery: the edges, loaded again. */
static int s_edges_back (s_job_t *j, char *err, size_t errlen)
{
    bool in_edges = zp_program_in_edges (j->program);
    if (j->g->dropped)
        zp_log_info ("loading %s again: the master gave its edges back after it sent the "
                     "partitions",
                     j->source->path);
    return zp_graph_reload_edges (j->g, j->source, in_edges, err, errlen);
}

/* The supersteps the program says the job takes with `params`, at most
   engine.max_supersteps, or 0: not known. */
static uint32_t s_planned (const zp_config_t *cfg, const zp_program_t *program,
                           const zp_value_t *params)
{
    if (!program->supersteps)
        return 0;
    struct zp_params_s p = {.program = program};
    memcpy (p.values, params, sizeof p.values);
    uint32_t n = program->supersteps (&p);
    return n < cfg->max_supersteps ? n : cfg->max_supersteps;
}

/* A superstep ended, as the master reports it: the summary, the totals
   per superstep, the status page and the caller's callback hear of it. */
static void s_on_step (const s_job_t *j, const zp_master_report_t *rep)
{
    const zp_config_t *cfg = j->cfg;
    const zp_job_options_t *options = j->options;
    zp_job_summary_t *summary = j->summary;
    uint32_t nr = j->n_routers;
    zp_step_report_t report = rep->step;
    report.planned = j->planned;
    const zp_step_report_t *r = &report;
    if (summary->supersteps == 0 && r->step > 0)
        summary->resumed_step = r->step;
    summary->supersteps = r->step + 1;
    summary->active_at_end = r->active;
    summary->messages_at_end = r->messages;
    summary->halted_by_master = r->halted;
    s_totals_t *totals = j->totals;
    while (totals->cap <= r->step) {
        size_t had = totals->cap;
        s_sent_t *grown = zp_grow (totals->steps, &totals->cap, totals->cap, sizeof *grown, 64);
        if (!grown)
            break;
        /* Supersteps before a resumed checkpoint were not run here. */
        memset (grown + had, 0, (totals->cap - had) * sizeof *grown);
        totals->steps = grown;
    }
    if (r->step < totals->cap) {
        totals->steps[r->step] = (s_sent_t){r->messages, r->bytes, r->batches, r->mirrored};
        totals->n = r->step + 1; /* after a recovery: forget what came after */
    }
    summary->retries += r->retries;
    summary->duplicates += r->duplicates;
    if (rep->whole && j->status) {
        const char *router_names[nr + 1];
        for (uint32_t k = 0; k < nr; k++)
            router_names[k] = cfg->routers[j->routers[k]].name;
        zp_status_step (j->status, r, rep->routes, router_names, nr);
    }
    if (rep->whole)
        zp_history_step (j->history, r);
    if (rep->whole && options && options->on_step)
        options->on_step (options->ctx, r);
}

/* A node process that ends before the job does ends this run: one that
   died of a signal (a crash, kill -9) is lost and may be recovered; one
   that exited has said why (it cannot bind its endpoint, say), and
   starting it again would not help. Whether one of `children` ended (err
   says how; *rc and lost[] say what follows). */
static bool s_child_ended (const s_job_t *j, pid_t *children, const char **names, uint32_t *lost,
                           size_t *n_lost, int *rc, char *err, size_t errlen)
{
    uint32_t n = j->n_workers, nn = n + j->n_routers;
    int status = 0;
    uint32_t w = 0;
    while (w < nn && !(children[w] && zp_process_poll (children[w], &status) == 1))
        w++;
    if (w == nn)
        return false;
    zp_child_end_t end = zp_process_end (status);
    char how[600];
    zp_process_end_text (w < n ? "worker" : "router", names[w], children[w], status, how,
                         sizeof how);
    snprintf (err, errlen, "%s%s", how, end == ZP_CHILD_CRASHED ? "" : " before the job ended");
    if (end == ZP_CHILD_CRASHED)
        *rc = ZP_JOB_PROGRAM_CRASHED;
    children[w] = 0;
    if (end == ZP_CHILD_LOST)
        s_node (j, w, &lost[(*n_lost)++]);
    return true;
}

/* Starts the master and every node this process runs, and waits for the
   job to end. 0 with the values by handle in *by_handle (caller frees), or
   -1 with a message; when nodes died or went silent, their indices (config
   workers, then routers) in lost[], *n_lost of them, and *gone when they
   did not come back after a recovery. */
static int s_attempt (const s_job_t *j, zp_resume_t resume, zp_value_t **by_handle, uint32_t *lost,
                      size_t *n_lost, bool *gone, char *err, size_t errlen)
{
    const zp_config_t *cfg = j->cfg;
    const zp_job_options_t *options = j->options;
    const zp_program_t *program = j->program;
    zp_job_summary_t *summary = j->summary;
    uint32_t n = j->n_workers, nr = j->n_routers, nn = n + nr;
    zactor_t *master = NULL;
    /* Nodes are the workers, then the routers. */
    zactor_t **workers = calloc (nn, sizeof *workers);
    const char **names = calloc (nn, sizeof *names);
    const char **hosts = calloc (nn, sizeof *hosts), **racks = calloc (nn, sizeof *racks);
    char **where = calloc (nn, sizeof *where);
    char **endpoints = calloc (nn, sizeof *endpoints);
    pid_t *children = calloc (nn, sizeof *children);
    /* A job watched from this machine only: the master's ipc endpoints. */
    char ipc_control[300] = "", ipc_broadcast[300] = "";
    /* --set for the nodes this process starts: the caller's, and where the master is. */
    const char **spawn_sets = calloc ((options ? options->n_overrides : 0) + 2, sizeof *spawn_sets);
    int rc = -1;
    *n_lost = 0;
    if (!workers || !names || !hosts || !racks || !where || !endpoints || !children ||
        !spawn_sets) {
        snprintf (err, errlen, "out of memory");
        goto done;
    }
    for (uint32_t w = 0; w < nn; w++) {
        hosts[w] = s_node (j, w, NULL)->host;
        racks[w] = zp_config_rack (cfg, hosts[w]);
    }
    /* Endpoints of this run. Nodes in this process use inproc; if the job
       has tcp workers, the master also binds its tcp endpoints and every
       in-process worker a tcp data endpoint on the master's host, so that
       workers in other processes can reach them. */
    uint64_t job =
        ((uint64_t) randof (1 << 30) << 32) ^ (uint64_t) zclock_usecs () ^ (uint64_t) getpid ();
    char control[128], broadcast[128], tcp_data[300] = "", locality[300];
    snprintf (control, sizeof control, "inproc://zp-%016" PRIx64 "-control", job);
    snprintf (broadcast, sizeof broadcast, "inproc://zp-%016" PRIx64 "-broadcast", job);
    snprintf (locality, sizeof locality, "%s/%d", zp_process_hostname (), (int) getpid ());
    bool has_tcp = false;
    for (uint32_t w = 0; w < nn; w++)
        has_tcp |= s_node (j, w, NULL)->transport == ZP_TRANSPORT_TCP;
    if (has_tcp) {
        /* The master's host, any port (the config checked it is tcp). */
        zp_endpoint_t ep;
        char why[512];
        if (zp_endpoint_parse (cfg->control, &ep, why, sizeof why) == 0)
            snprintf (tcp_data, sizeof tcp_data, ep.ipv6 ? "tcp://[%s]:*" : "tcp://%s:*", ep.host);
    }
    char checkpoint_dir[ZP_CHECKPOINT_PATH_MAX];
    s_checkpoint_dir (cfg, checkpoint_dir, sizeof checkpoint_dir);
    zp_master_bound_t bound = {"", "", false};
    zp_master_args_t margs = {.job = job,
                              .n_control = 1,
                              .control = {control},
                              .n_broadcast = 1,
                              .broadcast = {broadcast},
                              .public_control = cfg->control ? cfg->control : control,
                              .join_timeout_ms = cfg->join_timeout_ms,
                              .heartbeat_ms = cfg->heartbeat_ms,
                              .n_workers = n,
                              .worker_names = names,
                              .worker_where = (const char *const *) where,
                              .graph = j->g,
                              .shipped = s_shipped,
                              .shipped_ctx = j->g,
                              .layout = j->layout,
                              .program = program,
                              .program_name = program->name,
                              .params = j->params,
                              .settings =
                                  zp_settings_of (cfg, cfg->checkpoint_dir ? checkpoint_dir : NULL),
                              .n_routers = nr,
                              .router_names = names + n,
                              .router_where = (const char *const *) where + n,
                              .routing = zp_plan_options_of (cfg),
                              .replan_every = cfg->replan_every,
                              .estimate = j->estimate,
                              .resume = resume,
                              .recovering = j->recovering,
                              .security = j->security,
                              .node_hosts = hosts,
                              .node_racks = racks,
                              .bound = &bound};
    if (cfg->control)
        margs.control[margs.n_control++] = cfg->control;
    if (cfg->broadcast)
        margs.broadcast[margs.n_broadcast++] = cfg->broadcast;
    /* A job with no tcp master endpoints can still be watched: from this
       machine, by this user, on ipc endpoints in a directory only the user
       can enter (docs/STATS.md). */
    char watch_dir[200];
    if (!cfg->control && !cfg->broadcast && s_private_dir (watch_dir, sizeof watch_dir) == 0) {
        snprintf (ipc_control, sizeof ipc_control, "ipc://%s/%016" PRIx64 "-control", watch_dir,
                  job);
        snprintf (ipc_broadcast, sizeof ipc_broadcast, "ipc://%s/%016" PRIx64 "-broadcast",
                  watch_dir, job);
        margs.control[margs.n_control++] = ipc_control;
        margs.broadcast[margs.n_broadcast++] = ipc_broadcast;
    }
    for (uint32_t w = 0; w < nn; w++) {
        const zp_worker_config_t *wc = s_node (j, w, NULL);
        names[w] = wc->name;
        if (wc->transport == ZP_TRANSPORT_INPROC) {
            endpoints[w] =
                zsys_sprintf ("inproc://zp-%016" PRIx64 "-%c%u", job, w < n ? 'w' : 'r', w);
            where[w] = strdup (endpoints[w]);
        } else if (zp_config_is_local (wc->host) && options && options->spawn)
            where[w] = zsys_sprintf ("%s, started by this process", wc->endpoint);
        else
            where[w] = zsys_sprintf ("%s on %s: start it with 'zpregel launch %s --host %s'",
                                     wc->endpoint, wc->host ? wc->host : "this host", cfg->path,
                                     wc->host ? wc->host : zp_process_hostname ());
    }
    master = zp_actor_new (zp_master_actor, &margs);
    if (!master) {
        snprintf (err, errlen, "cannot start the master on %s", margs.public_control);
        goto done;
    }
    /* The nodes this process starts reach the master where it is bound:
       ports the job file leaves open were chosen just now. */
    size_t n_spawn_sets = 0;
    for (size_t i = 0; options && i < options->n_overrides; i++)
        spawn_sets[n_spawn_sets++] = options->overrides[i];
    char set_control[400], set_broadcast[400];
    if (bound.control[0] && bound.broadcast[0]) {
        snprintf (set_control, sizeof set_control, "master.control=%s", bound.control);
        snprintf (set_broadcast, sizeof set_broadcast, "master.broadcast=%s", bound.broadcast);
        spawn_sets[n_spawn_sets++] = set_control;
        spawn_sets[n_spawn_sets++] = set_broadcast;
        if ((zp_endpoint_port_at_run_time (cfg->control) ||
             zp_endpoint_port_at_run_time (cfg->broadcast) || !cfg->broadcast) &&
            options && options->on_step && !options->quiet) /* a caller that shows progress */
            fprintf (stderr,
                     "zpregel: the master listens on %s (control) and %s (broadcast): "
                     "zpregel watch %s\n",
                     bound.control, bound.broadcast, bound.broadcast);
    }
    /* A master that did not start says why below (FAIL): no node is started. */
    for (uint32_t w = 0; bound.started && w < nn; w++) {
        bool router = w >= n;
        const zp_worker_config_t *wc = s_node (j, w, NULL);
        if (wc->transport == ZP_TRANSPORT_INPROC) {
            /* In this process: the master's and its own in-process
               endpoints, and the program the master names. */
            zp_node_args_t args = zp_node_args_of (cfg, wc, locality, j->security);
            args.control = control;
            args.broadcast = broadcast;
            args.data[0] = endpoints[w];
            args.data[1] = has_tcp ? tcp_data : NULL;
            args.advertise = NULL;
            args.program = NULL;
            args.report_exit = false;
            workers[w] = zp_actor_new (router ? zp_router_actor : zp_worker_actor, &args);
        } else if (zp_config_is_local (wc->host) && options && options->spawn) {
            if (!options->exe) {
                snprintf (err, errlen, "%s: starting tcp nodes needs the zpregel binary", names[w]);
                goto done;
            }
            if ((children[w] = zp_job_spawn_node (options->exe, cfg, router, names[w], spawn_sets,
                                                  n_spawn_sets)) < 0) {
                children[w] = 0;
                snprintf (err, errlen, "cannot start %s: %s", names[w], strerror (errno));
                goto done;
            }
            continue;
        } else
            continue;
        if (!workers[w]) {
            snprintf (err, errlen, "cannot start %s on %s", names[w], endpoints[w]);
            goto done;
        }
    }
    zpoller_t *poller = zpoller_new (master, NULL);
    while (true) {
        zsock_t *which = zpoller_wait (poller, 200);
        if (!which) {
            if (zpoller_terminated (poller) || zsys_interrupted) {
                snprintf (err, errlen, "interrupted");
                rc = ZP_JOB_INTERRUPTED;
                break;
            }
            if (s_child_ended (j, children, names, lost, n_lost, &rc, err, errlen))
                break;
            continue;
        }
        zp_master_report_t rep;
        int got = zp_master_report_recv (master, n, nr, &rep);
        if (got == -1) {
            snprintf (err, errlen, "lost the master");
            break;
        }
        bool over = true;
        if (got != 0)
            snprintf (err, errlen, "%s", rep.text);
        else if (rep.kind == ZP_MASTER_STEP) {
            s_on_step (j, &rep);
            over = false;
        } else if (rep.kind == ZP_MASTER_DONE) {
            *by_handle = rep.values;
            rc = 0;
            /* By the config's routers: one that left the job reports zeros. */
            summary->n_routers = (uint32_t) cfg->n_routers;
            if (rep.routers &&
                (summary->routers = calloc (cfg->n_routers, sizeof *summary->routers)))
                for (uint32_t r = 0; r < nr; r++)
                    summary->routers[j->routers[r]] = rep.routers[r];
        } else {
            snprintf (err, errlen, "%s", rep.text);
            /* The master's node indices are this run's: make them the config's. */
            *gone = rep.kind == ZP_MASTER_GONE;
            for (size_t i = 0; i < rep.n_nodes; i++)
                if (rep.nodes[i] < nn)
                    s_node (j, rep.nodes[i], &lost[(*n_lost)++]);
        }
        zp_master_report_free (&rep);
        if (over)
            break;
    }
    zpoller_destroy (&poller);
done:
    for (uint32_t w = 0; workers && w < nn; w++)
        zp_actor_destroy (&workers[w]);
    /* Worker processes end after the master's BYE; the others are stopped,
       all at once (and at once when interrupted: they were told nothing). */
    if (children) {
        int statuses[nn];
        zp_process_stop_all (children, statuses, nn,
                             rc == 0                    ? 5000
                             : rc == ZP_JOB_INTERRUPTED ? 0
                                                        : 1000);
        for (uint32_t w = 0; w < nn; w++)
            if (rc == 0 && children[w] > 0 && statuses[w] != 0) {
                snprintf (err, errlen, "%s %s (pid %d) exited with status %d",
                          w < n ? "worker" : "router", names[w], (int) children[w], statuses[w]);
                rc = -1;
            }
    }
    zp_actor_destroy (&master);
    s_unlink_ipc (ipc_control);
    s_unlink_ipc (ipc_broadcast);
    for (uint32_t w = 0; endpoints && w < nn; w++) {
        zstr_free (&endpoints[w]);
        zstr_free (&where[w]);
    }
    free (endpoints);
    free (children);
    free (spawn_sets);
    free (workers);
    free (names);
    free (hosts);
    free (racks);
    free (where);
    return rc;
}

/* Puts each vertex's answer (the program's result()) in place of its
   struct of `words` words: vertex i's is read before it is written over,
   since i <= i * words. */
static void s_answers (const zp_program_t *program, zp_value_t *values, uint64_t n, size_t words)
{
    for (uint64_t i = 0; i < n; i++)
        values[i] = program->result (&values[i * words]);
}

/* job.output in job.output_format, with the names of job.labels in CSV
   and JSON lines. */
static int s_write_output (const zp_config_t *cfg, const zp_program_t *program, const zp_graph_t *g,
                           const zp_value_t *values, size_t words, char *err, size_t errlen)
{
    zp_names_t names = {0};
    bool named = cfg->labels && cfg->output_format != ZP_OUTPUT_TEXT;
    if (named && zp_names_load (&names, cfg->labels, err, errlen) != 0)
        return -1;
    bool formatted = program->format != NULL; /* else the values are numbers (s_answers) */
    zp_output_t how = {cfg->output_format, named ? &names : NULL, words,
                       formatted ? ZP_STRUCT : zp_program_result_type (program),
                       formatted ? program->format : NULL};
    int rc = zp_output_write (g, values, &how, cfg->output, err, errlen);
    zp_names_free (&names);
    return rc;
}

/* Whether job.output can be written, before anything runs: its directory
   is made (as a user expects of an output path) and must take a new file,
   and the file, if it exists, must take writes. Nothing is created. 0, or
   -1 with a message naming where the path came from. */
static int s_check_output (const zp_config_t *cfg, char *err, size_t errlen)
{
    if (!cfg->output)
        return 0;
    char *dir = strdup (cfg->output), *slash = dir ? strrchr (dir, '/') : NULL;
    if (!dir) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    if (slash && slash != dir) {
        *slash = 0;
        zsys_dir_create ("%s", dir);
    } else if (slash)
        slash[1] = 0; /* "/file": the root */
    else
        snprintf (dir, strlen (dir) + 1, ".");
    struct stat st;
    const char *why = NULL;
    if (stat (cfg->output, &st) == 0)
        why = S_ISDIR (st.st_mode)         ? "it is a directory"
              : access (cfg->output, W_OK) ? strerror (errno)
                                           : NULL;
    else if (stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
        why = "its directory cannot be made";
    else if (access (dir, W_OK | X_OK) != 0)
        why = strerror (errno);
    if (why)
        snprintf (err, errlen, "%s: job.output: %s: cannot write: %s",
                  zp_config_origin (cfg, "job.output"), cfg->output, why);
    free (dir);
    return why ? -1 : 0;
}

int zp_job_run (const zp_config_t *cfg, const zp_job_options_t *options, zp_job_summary_t *summary,
                char *err, size_t errlen)
{
    memset (summary, 0, sizeof *summary);
    char why[1024];
    const zp_program_t *program = zp_program_load (cfg->algorithm, why, sizeof why);
    if (!program) {
        /* Where the name came from: the file's line, or the --set. */
        snprintf (err, errlen, "%s: job.algorithm: %s", zp_config_origin (cfg, "job.algorithm"),
                  why);
        return -1;
    }
    if (s_check_output (cfg, err, errlen) != 0)
        return -1;
    snprintf (summary->program, sizeof summary->program, "%s", zp_program_own_name (program));
    summary->value_type = zp_program_result_type (program);

    int64_t t0 = zclock_usecs ();
    zp_graph_source_t source = {
        .path = cfg->graph,
        .format = cfg->format,
        .directed = cfg->directed < 0 ? 1 : cfg->directed,
        .vertex_values = (program->flags & ZP_NEEDS_VERTEX_VALUES) != 0,
    };
    zp_properties_t *props = NULL;
    char weight[256];
    zp_format_t format = zp_graph_format (cfg->graph, cfg->format);
    if (source.vertex_values && format != ZP_FORMAT_GRAPHALYTICS) {
        snprintf (err, errlen,
                  "%s: job.graph: program %s reads vertex values, which come from a Graphalytics "
                  ".v file (\"id value\" lines); %s is not one",
                  cfg->path, program->name, cfg->graph);
        return -1;
    }
    if (cfg->directed >= 0 && format != ZP_FORMAT_SNAP) {
        /* Silently ignored, it would run the graph the other way round. */
        snprintf (err, errlen,
                  "%s: job.directed is for SNAP edge lists; %s says itself whether it is "
                  "directed (remove job.directed)",
                  cfg->path, cfg->graph);
        return -1;
    }
    if (cfg->labels) {
        FILE *labels = fopen (cfg->labels, "r");
        if (!labels) {
            snprintf (err, errlen, "%s: job.labels: %s: cannot open: %s", cfg->path, cfg->labels,
                      strerror (errno));
            return -1;
        }
        fclose (labels);
    }
    zp_csv_t csv = {0, cfg->csv_header, cfg->csv_source, cfg->csv_target, cfg->csv_weight};
    if (format == ZP_FORMAT_CSV) {
        const char *d = cfg->csv_delimiter;
        if (d && strcmp (d, "tab") != 0 && strcmp (d, "\\t") != 0 &&
            (strlen (d) != 1 || *d == '"' || *d == '\n' || *d == '\r')) {
            snprintf (err, errlen,
                      "%s: job.csv.delimiter: expected one character (not a quote), or \"tab\", "
                      "got \"%s\"",
                      zp_config_origin (cfg, "job.csv.delimiter"), d);
            return -1;
        }
        csv.delimiter = !d ? 0 : strlen (d) == 1 ? *d : '\t';
        source.csv = &csv;
    } else if (cfg->csv_delimiter || cfg->csv_header >= 0 || cfg->csv_source || cfg->csv_target ||
               cfg->csv_weight) {
        snprintf (err, errlen,
                  "%s: job.csv is for CSV edge lists; %s is not one (job.format: csv "
                  "reads it as one)",
                  cfg->path, cfg->graph);
        return -1;
    }
    if (program->flags & ZP_NEEDS_WEIGHTS) {
        /* The weight column's name may come from the dataset's properties. */
        if (format == ZP_FORMAT_GRAPHALYTICS &&
            !(props = zp_properties_load (cfg->graph, err, errlen)))
            return -1;
        snprintf (weight, sizeof weight, "%s", s_weight_property (cfg, program, props));
        source.weight_property = weight;
        zp_properties_destroy (&props);
    }
    /* master.http serves the job's metrics and status page while it runs;
       master.history keeps its record after it ends. */
    zp_status_t *status = NULL;
    zp_http_t *http = NULL;
    zp_history_t *history = NULL;
    if ((cfg->http || cfg->history) && !(status = zp_status_new (cfg))) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    if (cfg->http) {
        char bound[400];
        http = zp_http_start (cfg->http, status, bound, sizeof bound, why, sizeof why);
        if (!http) {
            snprintf (err, errlen, "%s: %s", cfg->path, why);
            zp_status_destroy (&status);
            return -1;
        }
        if (options && options->on_step && !options->quiet)
            fprintf (stderr, "zpregel: the job's status page is %s, its metrics %smetrics\n", bound,
                     bound);
    }
    if (cfg->history) {
        history = zp_history_open (cfg, status, why, sizeof why);
        if (!history) {
            snprintf (err, errlen, "%s: %s", cfg->path, why);
            zp_http_stop (&http);
            zp_status_destroy (&status);
            return -1;
        }
        if (options && options->on_step && !options->quiet)
            fprintf (stderr, "zpregel: the job's record is kept in %s (zpregel serve %s)\n",
                     zp_history_path (history), cfg->history);
    }
    zp_graph_t *g = zp_graph_load (&source, &props, err, errlen);
    if (!g) {
        zp_status_set_error (status, err);
        zp_status_set_state (status, ZP_STATE_FAILED);
        zp_history_close (&history, NULL);
        zp_http_stop (&http);
        zp_status_destroy (&status);
        return -1;
    }
    zp_value_t params[ZP_MAX_PARAMS];
    zp_layout_t *layout = NULL;
    uint32_t n = (uint32_t) cfg->n_workers, nr = (uint32_t) cfg->n_routers;
    zp_traffic_matrix_t estimate = {0};
    double *weights = calloc (n, sizeof *weights);
    zp_value_t *by_handle = NULL, *values = NULL;
    int rc = -1;
    if (!weights) {
        snprintf (err, errlen, "out of memory");
        goto done;
    }
    if (zp_job_resolve_params (cfg, program, props, g, params, err, errlen) != 0 ||
        s_check_vertex_params (cfg, program, props, params, g, err, errlen) != 0)
        goto done;
    if (zp_program_in_edges (program) && zp_graph_build_in_edges (g) != 0) {
        snprintf (err, errlen, "out of memory building in-edges");
        goto done;
    }
    zp_placement_t how = zp_job_placement (cfg, weights);
    layout = zp_job_layout (cfg, g);
    if (!layout) {
        snprintf (err, errlen, "out of memory placing the graph");
        goto done;
    }
    summary->vertices = g->n;
    summary->edges = g->edges;
    summary->directed = g->directed;
    summary->dropped_self_loops = g->dropped_self_loops;
    summary->dropped_duplicates = g->dropped_duplicates;
    summary->n_workers = n;
    summary->vertices_of = calloc (n, sizeof (uint64_t));
    summary->edges_of = calloc (n, sizeof (uint64_t));
    if (!summary->vertices_of || !summary->edges_of) {
        snprintf (err, errlen, "out of memory");
        goto done;
    }
    uint64_t vmax = 0, emax = 0;
    for (uint32_t w = 0; w < n; w++) {
        summary->vertices_of[w] = layout->ranges[w + 1] - layout->ranges[w];
        summary->edges_of[w] = layout->edges_of[w];
        vmax = summary->vertices_of[w] > vmax ? summary->vertices_of[w] : vmax;
        emax = summary->edges_of[w] > emax ? summary->edges_of[w] : emax;
    }
    summary->imbalance_vertices = g->n ? (double) vmax * n / (double) g->n : 1.0;
    summary->imbalance_edges = g->m ? (double) emax * n / (double) g->m : 1.0;
    summary->load_seconds = (double) (zclock_usecs () - t0) / 1e6;
    zp_status_set_graph (status, program, g->n, g->edges, g->directed, summary->vertices_of,
                         summary->edges_of);

    if (nr && s_estimate (cfg, layout, g, NULL, &estimate) != 0) {
        snprintf (err, errlen, "out of memory estimating traffic");
        goto done;
    }
    /* Run the nodes. When some are lost: start them all again from the last
       complete checkpoint; a lost node that does not come back leaves the
       job, and a lost worker's partitions move to the survivors,
       checkpoint and all. */
    s_totals_t totals = {0};
    zp_security_t *security = NULL;
    if (zp_security_open (cfg, true, &security, why, sizeof why) != 0) {
        snprintf (err, errlen, "%s: %s", cfg->path, why);
        goto done;
    }
    s_job_t job = {.cfg = cfg,
                   .options = options,
                   .program = program,
                   .g = g,
                   .source = &source,
                   .layout = layout,
                   .params = params,
                   .estimate = &estimate,
                   .summary = summary,
                   .n_workers = n,
                   .n_routers = nr,
                   .workers = calloc (n, sizeof (uint32_t)),
                   .routers = calloc (nr + 1, sizeof (uint32_t)),
                   .totals = &totals,
                   .security = security,
                   .status = status,
                   .history = history,
                   .planned = s_planned (cfg, program, params)};
    uint32_t *lost = calloc ((size_t) n + nr, sizeof *lost);
    if (!job.workers || !job.routers || !lost) {
        free (job.workers);
        free (job.routers);
        free (lost);
        zp_security_destroy (&security);
        snprintf (err, errlen, "out of memory");
        goto done;
    }
    for (uint32_t w = 0; w < n; w++)
        job.workers[w] = w;
    for (uint32_t r = 0; r < nr; r++)
        job.routers[r] = r;
    zp_resume_t resume = options && options->resume ? ZP_RESUME_REQUIRED : ZP_RESUME_NO;
    /* --resume with other workers than the checkpoint's moves it to them. */
    rc = resume ? s_move_checkpoint (&job, layout, false, false, err, errlen) : 0;
    t0 = zclock_usecs ();
    while (rc == 0) {
        size_t n_lost = 0;
        bool gone = false;
        rc = s_attempt (&job, resume, &by_handle, lost, &n_lost, &gone, err, errlen);
        if (rc == 0 || n_lost == 0 || summary->recoveries >= cfg->max_recoveries ||
            rc == ZP_JOB_INTERRUPTED)
            break;
        summary->recoveries++;
        zp_status_recovered (status);
        zp_log_warning ("%s: restarting every node from the last checkpoint (recovery %u of at "
                        "most %u)",
                        err, summary->recoveries, cfg->max_recoveries);
        /* A lost node gets one chance to come back (started again by this
           process, by zpregel launch, or by hand); if it does not, it
           leaves the job. */
        rc = s_edges_back (&job, err, errlen);
        if (rc == 0 && gone)
            rc = s_leave (&job, &how, lost, n_lost, &estimate, err, errlen);
        layout = job.layout;
        if (rc != 0)
            break;
        job.recovering = true;
        resume = cfg->checkpoint_every && cfg->checkpoint_dir ? ZP_RESUME_IF_ANY : ZP_RESUME_NO;
    }
    for (size_t s = 0; s < totals.n; s++) {
        summary->messages += totals.steps[s].messages;
        summary->bytes += totals.steps[s].bytes;
        summary->batches += totals.steps[s].batches;
        summary->mirrored += totals.steps[s].mirrored;
    }
    free (totals.steps);
    zp_security_destroy (&security);
    free (job.workers);
    free (job.routers);
    free (lost);
    summary->compute_seconds = (double) (zclock_usecs () - t0) / 1e6;
    if (rc != 0)
        goto done;
    summary->converged =
        summary->halted_by_master || (!summary->active_at_end && !summary->messages_at_end);
    if (!summary->converged && cfg->on_limit == ZP_ON_LIMIT_FAIL) {
        snprintf (err, errlen,
                  "not converged: stopped at engine.max_supersteps (%u) with %" PRIu64
                  " vertices active and %" PRIu64 " messages in flight; no output written "
                  "(raise engine.max_supersteps, or set engine.on_limit: stop to write the "
                  "values as they are)",
                  cfg->max_supersteps, summary->active_at_end, summary->messages_at_end);
        rc = ZP_JOB_LIMIT;
        goto done;
    }

    t0 = zclock_usecs ();
    size_t words = zp_program_value_words (program);
    values = malloc ((g->n ? g->n * words : 1) * sizeof *values);
    if (!values) {
        snprintf (err, errlen, "out of memory");
        rc = -1;
        goto done;
    }
    for (uint64_t i = 0; i < g->n; i++)
        memcpy (&values[i * words], &by_handle[(size_t) layout->handle_of[i] * words],
                words * sizeof *values);
    /* The output's directory was made by s_check_output, before the run.
       A program's format() writes its structs; then a result() puts each
       vertex's answer in their place, which is what the output of a
       program without format() and the caller get. */
    if (cfg->output && program->format &&
        s_write_output (cfg, program, g, values, words, err, errlen) != 0)
        rc = -1;
    if (program->result) {
        s_answers (program, values, g->n, words);
        words = 1;
    }
    if (cfg->output && !program->format &&
        s_write_output (cfg, program, g, values, words, err, errlen) != 0)
        rc = -1;
    if (zp_program_result_type (program) == ZP_F64 && words == 1)
        s_top (summary, g, values);
    summary->output_seconds = (double) (zclock_usecs () - t0) / 1e6;
    if (rc == 0) {
        /* The values stay with the caller, in memory (the graph's ids too). */
        summary->ids = g->ids;
        g->ids = NULL;
        summary->values = values;
        values = NULL;
        summary->n_values = g->n;
        summary->value_words = words;
        summary->names = g->names;
        summary->name_at = g->name_at;
        g->names = NULL;
        g->name_at = NULL;
    }
done:
    if (rc != 0)
        zp_status_set_error (status, err);
    zp_status_set_state (status, rc == 0 ? ZP_STATE_FINISHED : ZP_STATE_FAILED);
    zp_history_close (&history, rc == 0 ? summary : NULL);
    zp_http_stop (&http);
    zp_status_destroy (&status);
    zp_traffic_free (&estimate);
    free (weights);
    free (by_handle);
    free (values);
    zp_layout_destroy (&layout);
    zp_graph_destroy (&g);
    zp_properties_destroy (&props);
    return rc;
}

/*  zp_status: a running job's state, rendered as metrics or JSON. */
#include "zp_status.h"
#include "zp_json.h"
#include "zp_plan.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The status page's chart keeps this many supersteps, the newest. */
#define S_HISTORY 600

static const char *const s_state_names[] = {"loading", "running", "recovering", "finished",
                                            "failed"};

typedef struct {
    uint32_t step;
    double seconds, compute_seconds;
    uint64_t active, messages;
    char slowest[64];
} s_step_t;

/* A worker of the config, with its totals over the job. */
typedef struct {
    uint64_t vertices, edges;
    bool seen;                               /* in the last superstep's report */
    zp_worker_step_t last;                   /* its part of the last superstep */
    double compute, send_wait, barrier_wait; /* seconds, summed */
    uint64_t messages_out, messages_in, bytes_out, bytes_in;
} s_worker_t;

struct zp_status_s {
    pthread_mutex_t lock;
    const zp_config_t *cfg;
    zp_job_state_t state;
    char error[512]; /* why it failed, or "" */
    double started;  /* CLOCK_REALTIME seconds */
    double ended;    /* when it finished or failed, or 0 */
    char program[64];
    const zp_program_t *prog;
    uint64_t vertices, edges;
    bool directed, loaded;
    s_worker_t *workers; /* cfg->n_workers */
    s_step_t history[S_HISTORY];
    uint64_t n_steps; /* supersteps reported, recoveries' repeats included */
    zp_step_report_t last;
    bool has_last;
    uint64_t messages, bytes, batches, retries, duplicates, mirrored;
    uint32_t recoveries, checkpoints, checkpoint_step;
    double checkpoint_at; /* CLOCK_REALTIME seconds, 0: none yet */
    /* The last superstep's route plan: n x n words, its routers' names. */
    uint32_t *routes;
    uint32_t n_routes;
    char (*route_workers)[64];
    char (*route_routers)[64];
    uint32_t n_route_routers;
};

static double s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

zp_status_t *zp_status_new (const zp_config_t *cfg)
{
    zp_status_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->workers = calloc (cfg->n_workers + 1, sizeof *self->workers);
    if (!self->workers) {
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->lock, NULL);
    self->cfg = cfg;
    /* As the job file names it, until the program is loaded. */
    snprintf (self->program, sizeof self->program, "%s", cfg->algorithm);
    self->started = s_now ();
    return self;
}

void zp_status_destroy (zp_status_t **self_p)
{
    zp_status_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_destroy (&self->lock);
    free (self->workers);
    free (self->routes);
    free (self->route_workers);
    free (self->route_routers);
    free (self);
    *self_p = NULL;
}

void zp_status_set_state (zp_status_t *self, zp_job_state_t state)
{
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->state = state;
    if (state == ZP_STATE_FINISHED || state == ZP_STATE_FAILED)
        self->ended = s_now ();
    pthread_mutex_unlock (&self->lock);
}

void zp_status_set_error (zp_status_t *self, const char *error)
{
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    snprintf (self->error, sizeof self->error, "%s", error ? error : "");
    pthread_mutex_unlock (&self->lock);
}

void zp_status_set_graph (zp_status_t *self, const zp_program_t *program, uint64_t vertices,
                          uint64_t edges, bool directed, const uint64_t *vertices_of,
                          const uint64_t *edges_of)
{
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    snprintf (self->program, sizeof self->program, "%s", zp_program_own_name (program));
    self->prog = program;
    self->vertices = vertices;
    self->edges = edges;
    self->directed = directed;
    self->loaded = true;
    for (size_t w = 0; w < self->cfg->n_workers; w++) {
        self->workers[w].vertices = vertices_of ? vertices_of[w] : 0;
        self->workers[w].edges = edges_of ? edges_of[w] : 0;
    }
    pthread_mutex_unlock (&self->lock);
}

void zp_status_recovered (zp_status_t *self)
{
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->recoveries++;
    self->state = ZP_STATE_RECOVERING;
    pthread_mutex_unlock (&self->lock);
}

static s_worker_t *s_worker (zp_status_t *self, const char *name)
{
    for (size_t w = 0; w < self->cfg->n_workers; w++)
        if (strcmp (self->cfg->workers[w].name, name) == 0)
            return &self->workers[w];
    return NULL;
}

/* Keeps the superstep's route plan (a copy: the caller's goes away). */
static void s_keep_routes (zp_status_t *self, const zp_step_report_t *r, const uint32_t *routes,
                           const char *const *router_names, uint32_t n_routers)
{
    uint32_t n = r->n_workers;
    if (self->n_routes != n || self->n_route_routers != n_routers) {
        free (self->routes);
        free (self->route_workers);
        free (self->route_routers);
        self->routes = calloc ((size_t) n * n + 1, sizeof *self->routes);
        self->route_workers = calloc (n + 1, sizeof *self->route_workers);
        self->route_routers = calloc (n_routers + 1, sizeof *self->route_routers);
        self->n_routes = self->n_route_routers = 0;
        if (!self->routes || !self->route_workers || !self->route_routers)
            return;
        self->n_routes = n;
        self->n_route_routers = n_routers;
    }
    memcpy (self->routes, routes, (size_t) n * n * sizeof *routes);
    for (uint32_t i = 0; i < n; i++)
        snprintf (self->route_workers[i], sizeof self->route_workers[i], "%s", r->workers[i].name);
    for (uint32_t k = 0; k < n_routers; k++)
        snprintf (self->route_routers[k], sizeof self->route_routers[k], "%s", router_names[k]);
}

void zp_status_step (zp_status_t *self, const zp_step_report_t *r, const uint32_t *routes,
                     const char *const *router_names, uint32_t n_routers)
{
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->state = ZP_STATE_RUNNING;
    s_step_t *h = &self->history[self->n_steps % S_HISTORY];
    *h = (s_step_t){r->step, r->seconds, r->compute_seconds, r->active, r->messages, ""};
    snprintf (h->slowest, sizeof h->slowest, "%s", r->slowest);
    self->n_steps++;
    self->last = *r;
    self->last.workers = NULL;
    self->last.sent_messages = self->last.sent_bytes = NULL;
    self->has_last = true;
    self->messages += r->messages;
    self->bytes += r->bytes;
    self->batches += r->batches;
    self->retries += r->retries;
    self->duplicates += r->duplicates;
    self->mirrored += r->mirrored;
    if (r->checkpointed) {
        self->checkpoints++;
        self->checkpoint_step = r->step;
        self->checkpoint_at = s_now ();
    }
    for (size_t w = 0; w < self->cfg->n_workers; w++)
        self->workers[w].seen = false;
    for (uint32_t i = 0; r->workers && i < r->n_workers; i++) {
        const zp_worker_step_t *ws = &r->workers[i];
        s_worker_t *w = s_worker (self, ws->name);
        if (!w)
            continue;
        w->seen = true;
        w->last = *ws;
        w->compute += ws->compute_seconds;
        w->send_wait += ws->send_wait_seconds;
        w->barrier_wait += ws->barrier_wait_seconds;
        w->messages_out += ws->messages_out;
        w->messages_in += ws->messages_in;
        w->bytes_out += ws->bytes_out;
        w->bytes_in += ws->bytes_in;
    }
    if (routes && r->workers)
        s_keep_routes (self, r, routes, router_names, n_routers);
    pthread_mutex_unlock (&self->lock);
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void s_label (FILE *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            fprintf (out, "\\%c", *p);
        else if (*p == '\n')
            fputs ("\\n", out);
        else
            fputc (*p, out);
    }
}

static void s_family (FILE *out, const char *name, const char *type, const char *help)
{
    fprintf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void s_metric_u (FILE *out, const char *name, const char *type, const char *help,
                        uint64_t value)
{
    s_family (out, name, type, help);
    fprintf (out, "%s %" PRIu64 "\n", name, value);
}

static void s_metric_f (FILE *out, const char *name, const char *type, const char *help,
                        double value)
{
    s_family (out, name, type, help);
    /* 15 digits: a time since the epoch keeps its milliseconds. */
    fprintf (out, "%s %.15g\n", name, value);
}

typedef enum { S_U64, S_F64 } s_kind_t;

/* One family with a sample per worker of the config. */
static void s_per_worker (zp_status_t *self, FILE *out, const char *name, const char *type,
                          const char *help, size_t offset, s_kind_t kind)
{
    s_family (out, name, type, help);
    for (size_t w = 0; w < self->cfg->n_workers; w++) {
        const char *field = (const char *) &self->workers[w] + offset;
        fprintf (out, "%s{worker=\"", name);
        s_label (out, self->cfg->workers[w].name);
        if (kind == S_U64)
            fprintf (out, "\"} %" PRIu64 "\n", *(const uint64_t *) field);
        else
            fprintf (out, "\"} %.9g\n", *(const double *) field);
    }
}

static void s_metrics (zp_status_t *self, FILE *out)
{
    const zp_config_t *cfg = self->cfg;
    s_family (out, "zpregel_job_info", "gauge", "The job: its name, program and graph.");
    fputs ("zpregel_job_info{job=\"", out);
    s_label (out, cfg->name ? cfg->name : "");
    fputs ("\",program=\"", out);
    s_label (out, self->program);
    fputs ("\",graph=\"", out);
    s_label (out, cfg->graph);
    fputs ("\"} 1\n", out);
    s_family (out, "zpregel_job_state", "gauge",
              "1 for the state the job is in, 0 for the others.");
    for (size_t i = 0; i < sizeof s_state_names / sizeof *s_state_names; i++)
        fprintf (out, "zpregel_job_state{state=\"%s\"} %d\n", s_state_names[i],
                 (size_t) self->state == i);
    s_metric_f (out, "zpregel_job_start_time_seconds", "gauge",
                "When the job started, in seconds since the Unix epoch.", self->started);
    s_metric_u (out, "zpregel_graph_vertices", "gauge", "Vertices in the graph.", self->vertices);
    s_metric_u (out, "zpregel_graph_edges", "gauge", "Edges in the graph.", self->edges);
    s_metric_u (out, "zpregel_workers", "gauge", "Workers in the job file.", cfg->n_workers);
    s_metric_u (out, "zpregel_superstep", "gauge", "The last superstep that ended.",
                self->has_last ? self->last.step : 0);
    s_metric_u (out, "zpregel_supersteps_total", "counter",
                "Supersteps that ended, those run again after a recovery included.", self->n_steps);
    s_metric_u (out, "zpregel_active_vertices", "gauge",
                "Vertices still active after the last superstep.",
                self->has_last ? self->last.active : 0);
    s_metric_f (out, "zpregel_superstep_duration_seconds", "gauge",
                "Wall time of the last superstep, its barrier included.",
                self->has_last ? self->last.seconds : 0);
    s_metric_u (out, "zpregel_messages_total", "counter", "Messages sent, to local vertices too.",
                self->messages);
    s_metric_u (out, "zpregel_sent_bytes_total", "counter",
                "Bytes of the batches sent between workers.", self->bytes);
    s_metric_u (out, "zpregel_batches_total", "counter", "Batches sent between workers.",
                self->batches);
    s_metric_u (out, "zpregel_retries_total", "counter", "Batches sent again after no ACK came.",
                self->retries);
    s_metric_u (out, "zpregel_duplicates_total", "counter", "Batches received twice and dropped.",
                self->duplicates);
    s_metric_u (out, "zpregel_mirrored_total", "counter",
                "Neighbours' values sent to the workers that read them.", self->mirrored);
    s_metric_u (out, "zpregel_recoveries_total", "counter",
                "Times every node was started again after one was lost.", self->recoveries);
    s_metric_u (out, "zpregel_checkpoints_total", "counter", "Checkpoints completed.",
                self->checkpoints);
    if (self->checkpoint_at > 0)
        s_metric_f (out, "zpregel_checkpoint_age_seconds", "gauge",
                    "Seconds since the last checkpoint completed.", s_now () - self->checkpoint_at);
    s_per_worker (self, out, "zpregel_worker_vertices", "gauge", "Vertices placed on the worker.",
                  offsetof (s_worker_t, vertices), S_U64);
    s_per_worker (self, out, "zpregel_worker_active_vertices", "gauge",
                  "The worker's vertices still active after the last superstep.",
                  offsetof (s_worker_t, last.active), S_U64);
    s_per_worker (self, out, "zpregel_worker_compute_seconds_total", "counter",
                  "Time the worker spent in compute() and sending.", offsetof (s_worker_t, compute),
                  S_F64);
    s_per_worker (self, out, "zpregel_worker_send_wait_seconds_total", "counter",
                  "Time the worker waited for the ACKs of its batches after computing.",
                  offsetof (s_worker_t, send_wait), S_F64);
    s_per_worker (self, out, "zpregel_worker_barrier_wait_seconds_total", "counter",
                  "Time the worker waited at the barrier for the slowest worker.",
                  offsetof (s_worker_t, barrier_wait), S_F64);
    s_per_worker (self, out, "zpregel_worker_sent_messages_total", "counter",
                  "Messages the worker sent.", offsetof (s_worker_t, messages_out), S_U64);
    s_per_worker (self, out, "zpregel_worker_received_messages_total", "counter",
                  "Messages sent to the worker's vertices.", offsetof (s_worker_t, messages_in),
                  S_U64);
    s_per_worker (self, out, "zpregel_worker_sent_bytes_total", "counter",
                  "Batch bytes the worker sent to other workers.", offsetof (s_worker_t, bytes_out),
                  S_U64);
    s_per_worker (self, out, "zpregel_worker_received_bytes_total", "counter",
                  "Batch bytes other workers sent to the worker.", offsetof (s_worker_t, bytes_in),
                  S_U64);
}

/* An aggregator's value as a JSON number. */
static void s_json_value (FILE *out, zp_type_t type, zp_value_t v)
{
    if (type == ZP_F64) {
        if (isfinite (v.f64))
            fprintf (out, "%.17g", v.f64);
        else
            fputs ("null", out);
    } else if (type == ZP_I64)
        fprintf (out, "%" PRId64, v.i64);
    else
        fprintf (out, "%" PRIu64, v.u64);
}

static const char *s_route_word (uint32_t route)
{
    switch (zp_route_kind (route)) {
    case ZP_ROUTE_AGGREGATED:
        return "aggregated";
    case ZP_ROUTE_BALANCED:
        return "balanced";
    default:
        return "direct";
    }
}

static void s_json_workers (zp_status_t *self, FILE *out)
{
    fputs (",\"workers\":[", out);
    for (size_t w = 0; w < self->cfg->n_workers; w++) {
        const s_worker_t *x = &self->workers[w];
        fprintf (out, "%s{\"name\":", w ? "," : "");
        zp_json_string (out, self->cfg->workers[w].name);
        fprintf (out,
                 ",\"transport\":\"%s\",\"in_last_step\":%s,\"vertices\":%" PRIu64
                 ",\"edges\":%" PRIu64 ",\"active\":%" PRIu64 ",\"messages_out\":%" PRIu64
                 ",\"messages_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64 ",\"bytes_in\":%" PRIu64
                 ",\"compute_seconds\":%.6f,\"send_wait_seconds\":%.6f,"
                 "\"barrier_wait_seconds\":%.6f,\"compute_seconds_total\":%.6f}",
                 self->cfg->workers[w].transport == ZP_TRANSPORT_TCP ? "tcp" : "inproc",
                 x->seen ? "true" : "false", x->vertices, x->edges, x->last.active,
                 x->last.messages_out, x->last.messages_in, x->last.bytes_out, x->last.bytes_in,
                 x->last.compute_seconds, x->last.send_wait_seconds, x->last.barrier_wait_seconds,
                 x->compute);
    }
    fputc (']', out);
}

static void s_json_plan (zp_status_t *self, FILE *out)
{
    fputs (",\"plan\":{\"workers\":[", out);
    for (uint32_t i = 0; i < self->n_routes; i++) {
        fputs (i ? "," : "", out);
        zp_json_string (out, self->route_workers[i]);
    }
    fputs ("],\"routers\":[", out);
    for (uint32_t k = 0; k < self->n_route_routers; k++) {
        fputs (k ? "," : "", out);
        zp_json_string (out, self->route_routers[k]);
    }
    fputs ("],\"links\":[", out);
    bool first = true;
    for (uint32_t i = 0; i < self->n_routes; i++)
        for (uint32_t j = 0; j < self->n_routes; j++) {
            uint32_t route = self->routes[(size_t) i * self->n_routes + j];
            if (i == j)
                continue;
            fprintf (out, "%s{\"from\":%u,\"to\":%u,\"route\":\"%s\"", first ? "" : ",", i, j,
                     s_route_word (route));
            if (zp_route_kind (route) != ZP_ROUTE_DIRECT &&
                zp_route_router (route) < self->n_route_routers)
                fprintf (out, ",\"router\":%u", zp_route_router (route));
            fputc ('}', out);
            first = false;
        }
    fputs ("]}", out);
}

/* While the job runs toward a known number of supersteps: the supersteps
   left times the mean of those in the chart's history; -1 otherwise. */
static double s_seconds_left (const zp_status_t *self)
{
    if (self->state != ZP_STATE_RUNNING || !self->n_steps ||
        self->last.step + 1 >= self->last.planned)
        return -1;
    uint64_t first = self->n_steps > S_HISTORY ? self->n_steps - S_HISTORY : 0;
    double sum = 0;
    for (uint64_t i = first; i < self->n_steps; i++)
        sum += self->history[i % S_HISTORY].seconds;
    return sum / (double) (self->n_steps - first) *
           (double) (self->last.planned - self->last.step - 1);
}

/* The job in brief: the fields before the supersteps' list, without the
   closing brace. */
static void s_json_head (zp_status_t *self, FILE *out)
{
    const zp_config_t *cfg = self->cfg;
    double now = s_now ();
    fputs ("{\"job\":", out);
    zp_json_string (out, cfg->name ? cfg->name : "");
    fputs (",\"program\":", out);
    zp_json_string (out, self->program);
    fputs (",\"graph\":", out);
    zp_json_string (out, cfg->graph);
    fprintf (out,
             ",\"state\":\"%s\",\"elapsed_seconds\":%.3f,\"loaded\":%s,\"vertices\":%" PRIu64
             ",\"edges\":%" PRIu64 ",\"directed\":%s",
             s_state_names[self->state], (self->ended > 0 ? self->ended : now) - self->started,
             self->loaded ? "true" : "false", self->vertices, self->edges,
             self->directed ? "true" : "false");
    fprintf (out, ",\"started\":%.3f", self->started);
    if (*self->error) {
        fputs (",\"error\":", out);
        zp_json_string (out, self->error);
    }
    fprintf (out, ",\"superstep\":%" PRId64 ",\"active\":%" PRIu64 ",\"slowest_worker\":",
             self->has_last ? (int64_t) self->last.step : -1,
             self->has_last ? self->last.active : 0);
    zp_json_string (out, self->has_last ? self->last.slowest : "");
    fprintf (out,
             ",\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"retries\":%" PRIu64
             ",\"duplicates\":%" PRIu64 ",\"mirrored\":%" PRIu64 ",\"recoveries\":%u"
             ",\"checkpoints\":%u",
             self->messages, self->bytes, self->retries, self->duplicates, self->mirrored,
             self->recoveries, self->checkpoints);
    if (self->checkpoint_at > 0)
        fprintf (out, ",\"checkpoint_step\":%u,\"checkpoint_age_seconds\":%.3f",
                 self->checkpoint_step, now - self->checkpoint_at);
    if (self->has_last && self->last.planned) {
        fprintf (out, ",\"planned_supersteps\":%u", self->last.planned);
        double left = s_seconds_left (self);
        if (left >= 0)
            fprintf (out, ",\"seconds_left\":%.3f", left);
    }
}

static void s_json_brief (zp_status_t *self, FILE *out)
{
    s_json_head (self, out);
    fputs ("}\n", out);
}

static void s_json (zp_status_t *self, FILE *out)
{
    s_json_head (self, out);
    fputs (",\"steps\":[", out);
    uint64_t first = self->n_steps > S_HISTORY ? self->n_steps - S_HISTORY : 0;
    for (uint64_t i = first; i < self->n_steps; i++) {
        const s_step_t *h = &self->history[i % S_HISTORY];
        fprintf (out,
                 "%s{\"step\":%u,\"seconds\":%.6f,\"compute_seconds\":%.6f,\"active\":%" PRIu64
                 ",\"messages\":%" PRIu64 ",\"slowest_worker\":",
                 i > first ? "," : "", h->step, h->seconds, h->compute_seconds, h->active,
                 h->messages);
        zp_json_string (out, h->slowest);
        fputc ('}', out);
    }
    fputc (']', out);
    s_json_workers (self, out);
    fputs (",\"aggregators\":[", out);
    for (uint32_t k = 0; self->prog && self->has_last && k < self->last.n_aggregates &&
                         k < self->prog->n_aggregators;
         k++) {
        const zp_aggregator_def_t *d = &self->prog->aggregators[k];
        fprintf (out, "%s{\"name\":", k ? "," : "");
        zp_json_string (out, d->name);
        fputs (",\"value\":", out);
        s_json_value (out, d->type, self->last.aggregates[k]);
        fputc ('}', out);
    }
    fputc (']', out);
    s_json_plan (self, out);
    fputs ("}\n", out);
}

/* Renders the status with `render` under the lock, into a malloc'd text. */
static char *s_render (zp_status_t *self, void (*render) (zp_status_t *, FILE *))
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out)
        return NULL;
    pthread_mutex_lock (&self->lock);
    render (self, out);
    pthread_mutex_unlock (&self->lock);
    if (fclose (out) != 0) {
        free (text);
        return NULL;
    }
    return text;
}

char *zp_status_brief_json (zp_status_t *self)
{
    return s_render (self, s_json_brief);
}

char *zp_status_metrics (zp_status_t *self)
{
    return s_render (self, s_metrics);
}

char *zp_status_json (zp_status_t *self)
{
    return s_render (self, s_json);
}

/*  zp_master: the master node. See zp_master.h for its conversation.

    States: JOINING (HELLOs) -> SYNCING (ASSIGN sent, SYNC published until
    every READY) -> RUNNING (supersteps) -> COLLECTING (RESULTs) -> OVER.
    A 20 ms timer publishes SYNC while joining and enforces join_timeout;
    HEARTBEATs come from the publisher's thread (zp_publisher.h) for the
    whole job, however busy this loop is. Any FAIL from a worker, or a
    broken invariant, fails the job: TERMINATE with status 1, BYE to
    everyone, FAIL on the pipe.

    The publisher keeps the published frames, so REPLAY can serve a range of
    them: a subscriber that joins late or loses frames to PUB's high-water
    mark asks for them over the control socket and sees the job as it
    happened.
*/
#include "zp_master.h"
#include "zp_publisher.h"
#include "zp_log.h"
#include "zp_security_internal.h"
#include "zp_checkpoint.h"
#include "zp_wire.h"
#include "zp_endpoint.h"
#include "zp_grow.h"
#include "zp_ratelog.h"
#include "zp_heartbeat.h"
#include "zp_node.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

typedef enum { S_JOINING, S_SYNCING, S_RUNNING, S_COLLECTING, S_OVER } s_state_t;

/* Frames served per REPLAY request, at most: a request cannot make the master
   queue without bound (the requester asks again for the rest). */
#define S_REPLAY_MAX 10000

typedef struct {
    bool joined, ready, done, result;
    int64_t heard; /* when this node was last heard from */
    zmq_msg_t identity;
    size_t n_endpoints;
    char *endpoints[ZP_HELLO_MAX_ENDPOINTS];
    char *locality;
    char *peer;                /* who claimed the name: identity and address */
    char key[ZP_KEY_TEXT + 1]; /* CURVE: the key it joined with, "" without */
} s_worker_t;

/* A MERGED report, as received: for superstep `step`, if `present`. */
typedef struct {
    bool present;
    uint32_t step;
    uint64_t out;
} s_merged_t;

/* REPLAY frames served to one peer in the current second. */
typedef struct {
    int64_t second;
    uint64_t served;
} s_replay_budget_t;

typedef struct {
    zsock_t *pipe, *control;
    zp_publisher_t *publisher; /* the PUB socket, its log and the HEARTBEATs */
    const zp_master_args_t *args;
    s_state_t state;
    s_worker_t *workers; /* n_workers workers, then n_routers routers */
    uint32_t n_nodes;
    uint32_t n_joined, n_ready, n_done, n_results;
    zp_plan_t *plan;         /* the plan of the coming superstep, or NULL: all direct */
    uint32_t *routes;        /* n x n: the routes of the superstep running (all direct: 0) */
    uint32_t *routes_before; /* n x n: those of the superstep before (for the count check) */
    /* What the routers' aggregations of a superstep took in and sent on
       (MERGED), in two slots by the superstep's parity: n_routers x n
       receivers, and their `in` counts, n_routers x n x n senders. */
    s_merged_t *merged[2];
    uint64_t *merged_in[2];
    bool awaiting_merged;       /* the superstep's end waits for a MERGED */
    zp_master_bound_t bound;    /* its tcp endpoints as bound */
    const char *public_control; /* named in SYNC and HEARTBEAT */
    zp_router_report_t *router_reports;
    uint32_t step;
    int64_t step_started;
    int64_t deadline;
    zp_value_t aggregates[ZP_MAX_AGGREGATORS];
    zp_value_t *partials; /* n_workers x ZP_MAX_AGGREGATORS */
    uint64_t *sent;       /* n x n: messages i sent to j in this superstep */
    uint64_t *sent_bytes; /* n x n: bytes i sent to j in this superstep (right after `sent`) */
    uint64_t *prev_sent;  /* n x n: the same for the previous superstep */
    uint64_t *received;   /* (n + n_routers) x n: messages j received from i (a worker, then a
                             router) in the previous superstep */
    zp_step_report_t report, last;
    zp_worker_step_t *wsteps; /* n_workers: each worker's part of the report */
    int64_t *done_at;         /* n_workers: when its DONE came (zclock_usecs) */
    zp_value_t *values;
    zp_cbor_writer_t w;
    /* checkpoints */
    uint64_t fingerprint;
    zp_manifest_t resume;     /* the checkpoint this run started from (step 0: none) */
    zp_manifest_t current;    /* what the checkpoint of this superstep needs from the master */
    zp_ratelog_t rejections;  /* frames dropped from peers, for the log */
    zhashx_t *replay_budgets; /* peer text -> s_replay_budget_t */
    uint32_t stall_ms;        /* ZPREGEL_INJECT_MASTER_STALL (zp_node.h) */
} self_t;

/* Logs "master: dropped WHAT from PEER: WHY", rate-limited (zp_ratelog). */
static void s_reject (self_t *self, zp_wire_msg_t *msg, const char *what, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static void s_reject (self_t *self, zp_wire_msg_t *msg, const char *what, const char *fmt, ...)
{
    uint64_t more;
    if (!zp_ratelog_allow (&self->rejections, &more))
        return;
    char peer[256], why[512];
    zp_wire_peer_text (msg, peer, sizeof peer);
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (why, sizeof why, fmt, ap);
    va_end (ap);
    if (more)
        zp_log_error ("master: dropped %s from %s: %s (and %" PRIu64 " more bad frames not logged)",
                      what, peer, why, more);
    else
        zp_log_error ("master: dropped %s from %s: %s", what, peer, why);
}

/* Logs how many rejections were not, once their second is over (or at
   once with `now`): a flood that ended is still counted. */
static void s_report_suppressed (self_t *self, bool now)
{
    uint64_t more = zp_ratelog_unreported (&self->rejections, now);
    if (more)
        zp_log_error ("master: %" PRIu64 " more bad frames not logged", more);
}

static void s_publish (self_t *self, zp_broadcast_t *b)
{
    /* Out of memory: not published, subscribers see no gap, the job fails on memory soon. */
    zp_publisher_publish (self->publisher, b);
}

static const char *s_node_name (const self_t *self, uint32_t w);

static void s_to_worker (self_t *self, uint32_t w)
{
    if (zp_wire_send (self->control, &self->workers[w].identity, &self->w, false) != 0)
        zp_log_error ("master: cannot send to %s: %s", s_node_name (self, w), zmq_strerror (errno));
}

static void s_bye_all (self_t *self, uint32_t status, const char *reason)
{
    for (uint32_t w = 0; w < self->n_nodes; w++)
        if (self->workers[w].joined && zp_bye_encode (status, reason, &self->w) == 0)
            s_to_worker (self, w);
}

static const char *s_node_name (const self_t *self, uint32_t w)
{
    return w < self->args->n_workers ? self->args->worker_names[w]
                                     : self->args->router_names[w - self->args->n_workers];
}

/* Ends the job: TERMINATE, BYE to every node, and `report` ("FAIL", or
   "LOST"/"GONE" when nodes were lost) with the text and the lost nodes'
   indices (uint32, workers then routers) on the pipe. */
static void s_end (self_t *self, const char *report, const uint32_t *nodes, size_t n_nodes,
                   const char *fmt, va_list ap)
{
    char text[1024];
    vsnprintf (text, sizeof text, fmt, ap);
    zp_broadcast_t b = {.kind = ZP_MSG_TERMINATE,
                        .step = self->step,
                        .status = nodes ? ZP_STATUS_LOST : ZP_STATUS_FAILED,
                        .reason = text};
    s_publish (self, &b);
    s_bye_all (self, b.status, text);
    zsock_send (self->pipe, "ssb", report, text, nodes, n_nodes * sizeof *nodes);
    self->state = S_OVER;
}

static void s_fail (self_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    s_end (self, "FAIL", NULL, 0, fmt, ap);
    va_end (ap);
}

/* Ends the job because the nodes listed went silent ("LOST") or, after a
   recovery, did not come back ("GONE"). */
static void s_lost (self_t *self, const char *report, const uint32_t *nodes, size_t n_nodes,
                    const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    s_end (self, report, nodes, n_nodes, fmt, ap);
    va_end (ap);
}

/* The node index of a worker (role worker) or router (role router) by name. */
static int s_find_node (self_t *self, zp_role_t role, const char *name, size_t len)
{
    uint32_t nw = self->args->n_workers;
    uint32_t from = role == ZP_ROLE_WORKER ? 0 : nw;
    uint32_t to = role == ZP_ROLE_WORKER ? nw : self->n_nodes;
    for (uint32_t w = from; w < to; w++) {
        const char *n = s_node_name (self, w);
        if (strlen (n) == len && memcmp (n, name, len) == 0)
            return (int) w;
    }
    return -1;
}

/* The worker a control frame came from, by routing identity; -1 if unknown. */
static int s_sender (self_t *self, zp_wire_msg_t *msg)
{
    size_t len = zmq_msg_size (&msg->identity);
    const void *id = zmq_msg_data (&msg->identity);
    for (uint32_t w = 0; w < self->n_nodes; w++) {
        s_worker_t *wk = &self->workers[w];
        if (wk->joined && zmq_msg_size (&wk->identity) == len &&
            memcmp (zmq_msg_data (&wk->identity), id, len) == 0)
            return (int) w;
    }
    return -1;
}

/* The joined node whose heartbeat thread (zp_heartbeat.h) sent `msg`, or -1. */
static int s_heartbeat_sender (self_t *self, zp_wire_msg_t *msg)
{
    size_t len = zmq_msg_size (&msg->identity);
    const void *id = zmq_msg_data (&msg->identity);
    for (uint32_t w = 0; w < self->n_nodes; w++) {
        s_worker_t *wk = &self->workers[w];
        if (wk->joined && zp_heartbeat_is_of (id, len, zmq_msg_data (&wk->identity),
                                              zmq_msg_size (&wk->identity)))
            return (int) w;
    }
    return -1;
}

/* The endpoint worker `from` should use to reach worker `to`: inproc when
   both run in one process, otherwise tcp. NULL if there is none. */
static const char *s_route (self_t *self, uint32_t from, uint32_t to)
{
    const s_worker_t *a = &self->workers[from], *b = &self->workers[to];
    bool together = strcmp (a->locality, b->locality) == 0;
    for (size_t i = 0; i < b->n_endpoints; i++)
        if (together && strncmp (b->endpoints[i], "inproc://", 9) == 0)
            return b->endpoints[i];
    for (size_t i = 0; i < b->n_endpoints; i++)
        if (strncmp (b->endpoints[i], "tcp://", 6) == 0)
            return b->endpoints[i];
    return NULL;
}

/* The length of the host part of a HELLO locality ("host/pid"). */
static size_t s_host_len (const char *locality)
{
    const char *slash = strchr (locality, '/');
    return slash ? (size_t) (slash - locality) : strlen (locality);
}

/* How many of the job's workers run on worker w's host: they share its
   CPUs when engine.threads is left to them. */
static uint32_t s_host_workers (const self_t *self, uint32_t w)
{
    const char *mine = self->workers[w].locality ? self->workers[w].locality : "";
    size_t len = s_host_len (mine);
    uint32_t count = 0;
    for (uint32_t i = 0; i < self->args->n_workers; i++) {
        const char *loc = self->workers[i].locality ? self->workers[i].locality : "";
        count += s_host_len (loc) == len && strncmp (loc, mine, len) == 0;
    }
    return count;
}

static void s_send_assigns (self_t *self)
{
    const zp_master_args_t *a = self->args;
    uint32_t n = a->n_workers;
    const char *peers[n];
    const char *routers[a->n_routers + 1];
    uint64_t params[ZP_MAX_PARAMS];
    for (size_t i = 0; i < a->program->n_params; i++)
        params[i] = a->params[i].bits;
    /* Under CURVE, every node learns the key each of its peers joined with. */
    uint8_t *keys = a->security ? malloc ((size_t) self->n_nodes * ZP_KEY_TEXT) : NULL;
    if (a->security && !keys) {
        s_fail (self, "out of memory");
        return;
    }
    for (uint32_t k = 0; keys && k < self->n_nodes; k++)
        memcpy (keys + (size_t) k * ZP_KEY_TEXT, self->workers[k].key, ZP_KEY_TEXT);
    zp_assign_t base = {.job = a->job,
                        .directed = a->graph->directed,
                        .program = a->program_name,
                        .params = (const uint8_t *) params,
                        .n_params = a->program->n_params,
                        .peers = peers,
                        .n_routers = a->n_routers,
                        .routers = routers,
                        .keys = keys,
                        .settings = a->settings};
    base.settings.restore_step = self->resume.step;
    for (uint32_t w = 0; w < n; w++) {
        for (uint32_t j = 0; j < n; j++) {
            peers[j] = j == w ? "" : s_route (self, w, j);
            if (!peers[j]) {
                s_fail (self, "worker %s cannot reach worker %s: it bound no tcp endpoint",
                        a->worker_names[w], a->worker_names[j]);
                free (keys);
                return;
            }
        }
        for (uint32_t r = 0; r < a->n_routers; r++)
            if (!(routers[r] = s_route (self, w, n + r))) {
                s_fail (self, "worker %s cannot reach router %s: it bound no tcp endpoint",
                        a->worker_names[w], a->router_names[r]);
                free (keys);
                return;
            }
        base.settings.host_workers = s_host_workers (self, w);
        if (zp_layout_encode_assign (a->layout, a->graph, w, &base, &self->w) != 0) {
            s_fail (self, "out of memory encoding the partition of worker %s", a->worker_names[w]);
            free (keys);
            return;
        }
        s_to_worker (self, w);
    }
    /* Each router: the workers, as it reaches them. */
    for (uint32_t r = 0; r < a->n_routers; r++) {
        for (uint32_t j = 0; j < n; j++)
            if (!(peers[j] = s_route (self, n + r, j))) {
                s_fail (self, "router %s cannot reach worker %s: it bound no tcp endpoint",
                        a->router_names[r], a->worker_names[j]);
                free (keys);
                return;
            }
        zp_route_msg_t route = {.job = a->job,
                                .router = r,
                                .n_workers = n,
                                .n_routers = a->n_routers,
                                .program = a->program_name,
                                .workers = peers,
                                .keys = keys,
                                .settings = a->settings};
        /* Where the job resumes: the router bounds held aggregations by it
           until it has seen a BEGIN (a batch may come before that BEGIN). */
        route.settings.restore_step = self->resume.step;
        if (zp_route_encode (&route, &self->w) != 0) {
            s_fail (self, "out of memory");
            free (keys);
            return;
        }
        s_to_worker (self, n + r);
    }
    free (keys);
    self->state = S_SYNCING;
    if (a->shipped)
        a->shipped (a->shipped_ctx);
}

/* The topology as the nodes said in HELLO (process = locality) and the job
   file says (host, when it gives one, else the locality's part before the
   '/'; rack). Strings live in `buf` (freed by the caller). */
static zp_topology_t s_topology (self_t *self, char ***buf)
{
    const zp_master_args_t *a = self->args;
    uint32_t n = self->n_nodes;
    char **b = calloc ((size_t) 2 * n + 1, sizeof *b);
    *buf = b;
    for (uint32_t i = 0; b && i < n; i++) {
        const char *loc = self->workers[i].locality ? self->workers[i].locality : "";
        const char *host = a->node_hosts ? a->node_hosts[i] : NULL;
        b[i] = strdup (loc);
        b[n + i] = host ? strdup (host) : strndup (loc, s_host_len (loc));
    }
    zp_topology_t t = {a->n_workers,
                       a->n_routers,
                       b ? (const char *const *) b : NULL,
                       b ? (const char *const *) b + n : NULL,
                       b ? (const char *const *) b + n + a->n_workers : NULL,
                       NULL,
                       a->node_racks,
                       a->node_racks ? a->node_racks + a->n_workers : NULL};
    return t;
}

/* Publishes a new plan: the optimizer's for `traffic`, or else `routes`
   as they are (a plan restored from a checkpoint, with its version). */
static void s_publish_plan (self_t *self, const zp_traffic_matrix_t *traffic,
                            const uint32_t *routes, uint64_t version)
{
    char **buf;
    zp_topology_t topo = s_topology (self, &buf);
    zp_plan_t *plan = !buf      ? NULL
                      : traffic ? zp_plan_new (traffic, &topo, &self->args->routing)
                                : zp_plan_uniform (&topo, ZP_ROUTE_DIRECT);
    for (uint32_t i = 0; buf && i < 2 * self->n_nodes; i++)
        free (buf[i]);
    free (buf);
    if (!plan) {
        s_fail (self, "out of memory planning routes");
        return;
    }
    if (!traffic)
        memcpy (plan->routes, routes, (size_t) plan->n_workers * plan->n_workers * sizeof *routes);
    plan->version = version;
    zp_plan_destroy (&self->plan);
    self->plan = plan;
    zp_broadcast_t b = {.kind = ZP_MSG_PLAN,
                        .plan_version = version,
                        .n_workers = plan->n_workers,
                        .routes = (const uint8_t *) plan->routes};
    s_publish (self, &b);
}

/* Plans routes for `traffic` and publishes the plan (a new version). */
static void s_replan (self_t *self, const zp_traffic_matrix_t *traffic)
{
    s_publish_plan (self, traffic, NULL, self->plan ? self->plan->version + 1 : 1);
}

static void s_begin (self_t *self)
{
    uint64_t aggs[ZP_MAX_AGGREGATORS];
    for (size_t i = 0; i < ZP_MAX_AGGREGATORS; i++)
        aggs[i] = self->aggregates[i].bits;
    zp_broadcast_t b = {.kind = ZP_MSG_BEGIN,
                        .step = self->step,
                        .n_aggregates = self->args->program->n_aggregators,
                        .aggregates = (const uint8_t *) aggs,
                        .active = self->last.active,
                        .messages = self->last.messages,
                        .plan_version = self->plan ? self->plan->version : 0,
                        .slowest = self->last.slowest,
                        .slowest_seconds = self->last.compute_seconds};
    uint32_t n = self->args->n_workers, nr = self->args->n_routers;
    memcpy (self->routes_before, self->routes, (size_t) n * n * sizeof *self->routes);
    memset (self->merged[self->step & 1], 0, (size_t) nr * n * sizeof (s_merged_t));
    if (self->plan)
        memcpy (self->routes, self->plan->routes,
                (size_t) self->args->n_workers * self->args->n_workers * sizeof *self->routes);
    self->current.step = self->step;
    self->current.n_aggregates = self->args->program->n_aggregators;
    memcpy (self->current.aggregates, aggs, sizeof aggs);
    self->current.plan_version = self->plan ? self->plan->version : 0;
    self->current.routes = self->plan ? self->routes : NULL;
    self->n_done = 0;
    for (uint32_t w = 0; w < self->args->n_workers; w++)
        self->workers[w].done = false;
    memset (&self->report, 0, sizeof self->report);
    self->report.step = self->step;
    memset (self->wsteps, 0, self->args->n_workers * sizeof *self->wsteps);
    self->step_started = zclock_usecs ();
    s_publish (self, &b);
    if (self->step == 2 && self->stall_ms) /* ZPREGEL_INJECT_MASTER_STALL */
        zclock_sleep ((int) self->stall_ms);
}

/* Continues from the checkpoint in self->resume: its superstep, its
   aggregates and its route plan, so the rest of the run is the same. */
static void s_resume (self_t *self)
{
    const zp_manifest_t *m = &self->resume;
    self->step = m->step;
    for (size_t k = 0; k < m->n_aggregates; k++)
        self->aggregates[k].bits = m->aggregates[k];
    if (!self->args->n_routers)
        return;
    if (!m->routes) { /* moved to other workers: plan as a new run does */
        s_replan (self, self->args->estimate);
        return;
    }
    uint32_t n = self->args->n_workers;
    for (size_t i = 0; i < (size_t) n * n; i++) {
        uint32_t r = m->routes[i];
        if (zp_route_kind (r) != ZP_ROUTE_DIRECT && zp_route_router (r) >= self->args->n_routers) {
            s_fail (self, "the checkpoint's route plan names router %u of %u",
                    zp_route_router (r) + 1, self->args->n_routers);
            return;
        }
    }
    s_publish_plan (self, NULL, m->routes, m->plan_version);
}

static void s_on_hello (self_t *self, zp_wire_msg_t *msg)
{
    zp_hello_t hello;
    int rc = zp_hello_decode (zp_wire_data (msg), zp_wire_size (msg), &hello);
    if (rc != 0) {
        s_reject (self, msg, "a bad HELLO", "%s", zp_frame_strerror (rc));
        return;
    }
    const char *role = hello.role == ZP_ROLE_WORKER ? "worker" : "router";
    int w = s_find_node (self, hello.role, hello.name, hello.name_len);
    if (w < 0) {
        s_reject (self, msg, "a HELLO", "%s \"%.*s\" is not expected", role, (int) hello.name_len,
                  hello.name);
        return;
    }
    s_worker_t *wk = &self->workers[w];
    /* A repeat from the node that joined (zp_node_hello_again): the same
       process ("host/pid"). A node started again under the same name is
       another process, and is not the one that joined. */
    if (wk->joined && wk->locality && strlen (wk->locality) == hello.locality_len &&
        memcmp (wk->locality, hello.locality, hello.locality_len) == 0)
        return;
    if (wk->joined) {
        /* A name is claimed once: the first claimant keeps it. */
        s_reject (self, msg, "a HELLO", "%s %s was claimed first by %s", role,
                  s_node_name (self, (uint32_t) w), wk->peer);
        return;
    }
    if (self->state != S_JOINING) {
        s_reject (self, msg, "a HELLO", "%s %s comes after the job has begun", role,
                  s_node_name (self, (uint32_t) w));
        return;
    }
    /* Under CURVE a name is bound to a key: the node's own (`key:` in the
       job file, or security.client_cert). A node in this process joins
       over inproc, with no User-Id: it connects with this process's key. */
    const zp_security_t *security = self->args->security;
    const char *want = zp_security_node_key (security, s_node_name (self, (uint32_t) w));
    const char *user = zp_wire_user (msg);
    const char *key = user ? user : zp_security_own_key (security);
    if (want && (!key || strcmp (key, want) != 0)) {
        s_reject (self, msg, "a HELLO",
                  "%s %s may join only with its own key (its `key:` in the job file, or "
                  "security.client_cert), not with %.8s...: that key may only watch",
                  role, s_node_name (self, (uint32_t) w), key ? key : "(none)");
        return;
    }
    snprintf (wk->key, sizeof wk->key, "%s", key ? key : "");
    char peer[256];
    zp_wire_peer_text (msg, peer, sizeof peer);
    wk->peer = strdup (peer);
    wk->joined = true;
    wk->heard = zclock_mono ();
    zmq_msg_init (&wk->identity);
    zmq_msg_copy (&wk->identity, &msg->identity);
    wk->n_endpoints = hello.n_endpoints;
    for (size_t i = 0; i < hello.n_endpoints; i++)
        wk->endpoints[i] = strndup (hello.endpoints[i], hello.endpoint_lens[i]);
    wk->locality = strndup (hello.locality, hello.locality_len);
    zp_log_debug ("master: %s joined from %s (%u of %u)", s_node_name (self, (uint32_t) w), peer,
                  self->n_joined + 1, self->n_nodes);
    if (++self->n_joined == self->n_nodes)
        s_send_assigns (self);
}

/* The aggregated links of the superstep before: what each worker sent
   through a router is what the router took in, and what the router sent
   on is what the receiver got. 0; -1 when the job failed; 1 when a
   router's report is still on its way (it finishes the superstep). */
static int s_check_merged (self_t *self)
{
    const zp_master_args_t *a = self->args;
    uint32_t n = a->n_workers, step = self->step - 1;
    s_merged_t *slot = self->merged[step & 1];
    const uint64_t *slot_in = self->merged_in[step & 1];
    self->awaiting_merged = false;
    for (uint32_t r = 0; r < a->n_routers; r++)
        for (uint32_t j = 0; j < n; j++) {
            const s_merged_t *m = &slot[(size_t) r * n + j];
            bool present = m->present && m->step == step;
            const uint64_t *in = slot_in + ((size_t) r * n + j) * n;
            uint64_t expected = 0;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t route = self->routes_before[i * n + j];
                if (i == j || zp_route_kind (route) != ZP_ROUTE_AGGREGATED ||
                    zp_route_router (route) != r)
                    continue;
                expected += self->prev_sent[i * n + j];
                if (present && in[i] != self->prev_sent[i * n + j]) {
                    s_fail (self,
                            "superstep %u: worker %s sent %" PRIu64 " messages to %s through "
                            "router %s, which took in %" PRIu64,
                            step, a->worker_names[i], self->prev_sent[i * n + j],
                            a->worker_names[j], a->router_names[r], in[i]);
                    return -1;
                }
            }
            if (expected && !present) {
                self->awaiting_merged = true;
                return 1;
            }
            uint64_t got = self->received[(size_t) (n + r) * n + j], out = present ? m->out : 0;
            if (got != out) {
                s_fail (self,
                        "superstep %u: router %s sent %" PRIu64 " merged messages to %s, which "
                        "received %" PRIu64,
                        step, a->router_names[r], out, a->worker_names[j], got);
                return -1;
            }
        }
    return 0;
}

static void s_finish_step (self_t *self);

/* Master compute (zp_program.h): what master() sees and changes. */
struct zp_master_ctx_s {
    self_t *self;
    uint32_t step;
    bool halt;
};

/* Runs the program's master() before superstep `step`, if it has one:
   whether it ended the job. */
static bool s_master_compute (self_t *self, uint32_t step)
{
    if (!self->args->program->master)
        return false;
    zp_master_ctx_t ctx = {self, step, false};
    self->args->program->master (&ctx);
    return ctx.halt;
}

uint32_t zp_master_superstep (const zp_master_ctx_t *m)
{
    return m->step;
}

uint64_t zp_master_vertex_count (const zp_master_ctx_t *m)
{
    return m->self->args->graph->n;
}

/* Aggregator `index` of type `type`, or NULL (logged) when there is none. */
static zp_value_t *s_master_aggregator (const zp_master_ctx_t *m, size_t index, zp_type_t type,
                                        const char *call)
{
    const zp_program_t *p = m->self->args->program;
    if (index >= p->n_aggregators || p->aggregators[index].type != type) {
        zp_log_error ("master: program %s: %s: aggregator %zu %s", p->name, call, index,
                      index >= p->n_aggregators ? "does not exist" : "has another type");
        return NULL;
    }
    return &m->self->aggregates[index];
}

double zp_master_aggregated_f64 (const zp_master_ctx_t *m, size_t index)
{
    zp_value_t *v = s_master_aggregator (m, index, ZP_F64, "zp_master_aggregated_f64");
    return v ? v->f64 : 0;
}
int64_t zp_master_aggregated_i64 (const zp_master_ctx_t *m, size_t index)
{
    zp_value_t *v = s_master_aggregator (m, index, ZP_I64, "zp_master_aggregated_i64");
    return v ? v->i64 : 0;
}
uint64_t zp_master_aggregated_u64 (const zp_master_ctx_t *m, size_t index)
{
    zp_value_t *v = s_master_aggregator (m, index, ZP_U64, "zp_master_aggregated_u64");
    return v ? v->u64 : 0;
}
void zp_master_set_f64 (zp_master_ctx_t *m, size_t index, double value)
{
    zp_value_t *v = s_master_aggregator (m, index, ZP_F64, "zp_master_set_f64");
    if (v)
        v->f64 = value;
}
void zp_master_set_i64 (zp_master_ctx_t *m, size_t index, int64_t value)
{
    zp_value_t *v = s_master_aggregator (m, index, ZP_I64, "zp_master_set_i64");
    if (v)
        v->i64 = value;
}
void zp_master_set_u64 (zp_master_ctx_t *m, size_t index, uint64_t value)
{
    zp_value_t *v = s_master_aggregator (m, index, ZP_U64, "zp_master_set_u64");
    if (v)
        v->u64 = value;
}
void zp_master_halt (zp_master_ctx_t *m)
{
    m->halt = true;
}

/* MERGED from router node `w`: kept for the count check. */
static void s_on_merged (self_t *self, int w, zp_wire_msg_t *msg)
{
    zp_merged_t m;
    uint32_t n = self->args->n_workers, r = (uint32_t) w - n;
    int rc = zp_merged_decode (zp_wire_data (msg), zp_wire_size (msg), &m);
    if (rc == 0 && (m.router != r || m.n_workers != n || m.dst >= n || m.step > self->step ||
                    m.step + 1 < self->step))
        rc = ZP_ERANGE;
    if (rc != 0) {
        s_reject (self, msg, "a MERGED", "%s", zp_frame_strerror (rc));
        return;
    }
    s_merged_t *slot = &self->merged[m.step & 1][(size_t) r * n + m.dst];
    *slot = (s_merged_t){true, m.step, m.out};
    uint64_t *in = self->merged_in[m.step & 1] + ((size_t) r * n + m.dst) * n;
    for (uint32_t i = 0; i < n; i++)
        in[i] = zp_load_u64 (m.in + 8 * i);
    if (self->awaiting_merged)
        s_finish_step (self);
}

/* What each worker received, and how long it waited for the slowest. */
static void s_worker_totals (self_t *self)
{
    uint32_t n = self->args->n_workers;
    int64_t last = 0;
    for (uint32_t w = 0; w < n; w++)
        last = self->done_at[w] > last ? self->done_at[w] : last;
    for (uint32_t w = 0; w < n; w++) {
        zp_worker_step_t *ws = &self->wsteps[w];
        ws->messages_in = ws->bytes_in = 0;
        for (uint32_t i = 0; i < n; i++) {
            ws->messages_in += self->sent[i * n + w];
            ws->bytes_in += self->sent_bytes[i * n + w];
        }
        ws->barrier_wait_seconds = (double) (last - self->done_at[w]) / 1e6;
    }
}

static void s_finish_step (self_t *self)
{
    const zp_master_args_t *a = self->args;
    uint32_t n = a->n_workers;
    /* Every message a worker sent to another in the last superstep must have
       been received by it: the counts come from both ends independently. */
    if (self->step > 0) {
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = 0; j < n; j++)
                if (i != j &&
                    zp_route_kind (self->routes_before[i * n + j]) != ZP_ROUTE_AGGREGATED &&
                    self->prev_sent[i * n + j] != self->received[i * n + j]) {
                    s_fail (self,
                            "superstep %u: worker %s sent %" PRIu64 " messages to %s, which "
                            "received %" PRIu64,
                            self->step - 1, a->worker_names[i], self->prev_sent[i * n + j],
                            a->worker_names[j], self->received[i * n + j]);
                    return;
                }
        if (s_check_merged (self) != 0)
            return; /* failed, or waits for a router's report */
    }
    /* Every worker wrote its part of this superstep's checkpoint before
       computing, so the checkpoint is complete: say so. */
    if (zp_checkpoint_due (a->settings.checkpoint_every, self->step) &&
        self->step != self->resume.step) {
        char err[ZP_CHECKPOINT_PATH_MAX + 256];
        if (zp_manifest_write (a->settings.checkpoint_dir, &self->current, err, sizeof err) != 0) {
            s_fail (self, "%s", err);
            return;
        }
        zp_broadcast_t b = {.kind = ZP_MSG_CHECKPOINT, .step = self->step};
        s_publish (self, &b);
        self->report.checkpointed = true;
    }
    memcpy (self->prev_sent, self->sent, (size_t) n * n * sizeof *self->sent);
    /* Combine aggregator partials in worker order: the same result every
       run. A persistent aggregator starts from its value, not its identity. */
    for (size_t k = 0; k < a->program->n_aggregators; k++) {
        const zp_aggregator_def_t *d = &a->program->aggregators[k];
        zp_value_t acc = (a->program->persistent_aggregators >> k) & 1
                             ? self->aggregates[k]
                             : zp_combiner_identity (d->op, d->type);
        for (uint32_t w = 0; w < n; w++)
            zp_combiner_apply (d->op, d->type, &acc, self->partials[w * ZP_MAX_AGGREGATORS + k]);
        self->aggregates[k] = acc;
    }
    bool idle = self->report.active == 0 && self->report.messages == 0;
    bool last = idle || self->step + 1 >= a->settings.max_supersteps;
    if (!last && s_master_compute (self, self->step + 1))
        last = self->report.halted = true;
    self->report.seconds = (double) (zclock_usecs () - self->step_started) / 1e6;
    self->report.n_aggregates = (uint32_t) a->program->n_aggregators;
    memcpy (self->report.aggregates, self->aggregates, sizeof self->aggregates);
    s_worker_totals (self);
    self->last = self->report;
    zsock_send (self->pipe, "sbbbb", "STEP", &self->report, sizeof self->report, self->sent,
                (size_t) 2 * n * n * sizeof *self->sent, self->wsteps,
                (size_t) n * sizeof *self->wsteps, self->routes,
                (size_t) n * n * sizeof *self->routes);
    if (last) {
        zp_broadcast_t b = {.kind = ZP_MSG_TERMINATE,
                            .step = self->step,
                            .status = 0,
                            .active = self->report.active,
                            .messages = self->report.messages,
                            .slowest = self->report.slowest,
                            .slowest_seconds = self->report.compute_seconds};
        self->state = S_COLLECTING;
        s_publish (self, &b);
        return;
    }
    self->step++;
    if (self->plan && a->routing.mode == ZP_ROUTING_AUTO && a->replan_every &&
        self->step % a->replan_every == 0) {
        /* Plan the next supersteps by what this one measured. */
        zp_traffic_matrix_t measured = {.n = n,
                                        .messages = calloc ((size_t) n * n, sizeof (double)),
                                        .bytes = calloc ((size_t) n * n, sizeof (double)),
                                        .steps = 1};
        for (size_t k = 0; measured.messages && measured.bytes && k < (size_t) n * n; k++) {
            measured.messages[k] = (double) self->sent[k];
            measured.bytes[k] = (double) self->sent_bytes[k];
        }
        if (measured.messages && measured.bytes)
            s_replan (self, &measured);
        zp_traffic_free (&measured);
        if (self->state == S_OVER)
            return;
    }
    s_begin (self);
}

/* A time a worker reported, or 0 when it is no time at all (NaN, negative). */
static double s_seconds (double t)
{
    return t >= 0 && t < 1e9 ? t : 0;
}

static void s_on_done (self_t *self, int w, zp_wire_msg_t *msg)
{
    zp_done_t d;
    uint32_t n = self->args->n_workers;
    int rc = zp_done_decode (zp_wire_data (msg), zp_wire_size (msg), &d);
    if (rc == 0 && (d.worker != (uint32_t) w || d.step != self->step || d.n_workers != n ||
                    d.n_received != (size_t) n + self->args->n_routers ||
                    d.n_aggregates != self->args->program->n_aggregators))
        rc = ZP_ERANGE;
    if (rc != 0 || self->workers[w].done) {
        zp_log_error ("master: dropped a bad DONE from worker %s: %s", self->args->worker_names[w],
                      rc ? zp_frame_strerror (rc) : "duplicate");
        return;
    }
    self->workers[w].done = true;
    self->done_at[w] = zclock_usecs ();
    zp_worker_step_t *ws = &self->wsteps[w];
    snprintf (ws->name, sizeof ws->name, "%s", self->args->worker_names[w]);
    ws->active = d.active;
    ws->messages_out = d.messages;
    ws->bytes_out = d.bytes;
    ws->compute_seconds = s_seconds (d.compute_seconds);
    ws->send_wait_seconds = s_seconds (d.send_wait_seconds);
    zp_log_debug ("master: superstep %u: worker %s done, %" PRIu64 " active, %.4fs computing, "
                  "%.4fs waiting for ACKs (%u of %u)",
                  self->step, ws->name, d.active, ws->compute_seconds, ws->send_wait_seconds,
                  self->n_done + 1, n);
    zp_step_report_t *r = &self->report;
    r->active += d.active;
    r->messages += d.messages;
    r->bytes += d.bytes;
    r->batches += d.batches;
    r->retries += d.retries;
    r->duplicates += d.duplicates;
    r->mirrored += d.mirrored;
    if (ws->compute_seconds > r->compute_seconds || !r->slowest[0]) {
        r->compute_seconds = ws->compute_seconds;
        snprintf (r->slowest, sizeof r->slowest, "%s", self->args->worker_names[w]);
    }
    for (uint32_t j = 0; j < n; j++) {
        self->sent[(uint32_t) w * n + j] = zp_load_u64 (d.sent + 8 * j);
        self->sent_bytes[(uint32_t) w * n + j] = zp_load_u64 (d.sent_bytes + 8 * j);
    }
    for (uint32_t j = 0; j < d.n_received; j++)
        self->received[j * n + (uint32_t) w] = zp_load_u64 (d.received + 8 * j);
    for (size_t k = 0; k < d.n_aggregates; k++)
        self->partials[(size_t) w * ZP_MAX_AGGREGATORS + k].bits =
            zp_load_u64 (d.aggregates + 8 * k);
    if (++self->n_done == n)
        s_finish_step (self);
}

static void s_finish_job (self_t *self)
{
    s_bye_all (self, 0, NULL);
    zsock_send (self->pipe, "spb", "DONE", self->values, self->router_reports,
                (size_t) self->args->n_routers * sizeof *self->router_reports);
    self->values = NULL; /* the owner has it now */
    self->state = S_OVER;
}

static void s_on_result (self_t *self, int w, zp_wire_msg_t *msg)
{
    zp_result_t r;
    const zp_layout_t *l = self->args->layout;
    int rc = zp_result_decode (zp_wire_data (msg), zp_wire_size (msg), &r);
    if (rc == 0 && (uint32_t) w >= self->args->n_workers)
        rc = ZP_EKIND;
    size_t words = zp_program_value_words (self->args->program);
    if (rc == 0 &&
        (r.worker != (uint32_t) w || r.count != (l->ranges[w + 1] - l->ranges[w]) * words))
        rc = ZP_ECOUNT;
    if (rc != 0 || self->workers[w].result) {
        zp_log_error ("master: dropped a bad RESULT from worker %s: %s",
                      self->args->worker_names[w], rc ? zp_frame_strerror (rc) : "duplicate");
        return;
    }
    memcpy (self->values + (size_t) l->ranges[w] * words, r.values, r.count * sizeof (zp_value_t));
    self->workers[w].result = true;
    if (++self->n_results == self->n_nodes)
        s_finish_job (self);
}

static void s_on_rstats (self_t *self, int w, zp_wire_msg_t *msg)
{
    zp_rstats_t r;
    uint32_t index = (uint32_t) w - self->args->n_workers;
    int rc = zp_rstats_decode (zp_wire_data (msg), zp_wire_size (msg), &r);
    if (rc != 0 || r.router != index || self->workers[w].result) {
        zp_log_error ("master: dropped a bad RSTATS from router %s",
                      s_node_name (self, (uint32_t) w));
        return;
    }
    self->router_reports[index] = (zp_router_report_t){.router = r.router,
                                                       .frames_in = r.frames_in,
                                                       .frames_out = r.frames_out,
                                                       .messages_in = r.messages_in,
                                                       .messages_out = r.messages_out,
                                                       .resent = r.resent};
    self->workers[w].result = true;
    if (++self->n_results == self->n_nodes)
        s_finish_job (self);
}

/* REPLAY costs the master a frame sent per broadcast asked for: a peer is
   served at most S_REPLAY_MAX frames a second (it asks again for the
   rest), however often it asks. The table of peers is bounded: past
   S_REPLAY_PEERS, stale entries are dropped, and a new peer waits. */
#define S_REPLAY_PEERS 1024

static void s_free_item (void **item)
{
    free (*item);
    *item = NULL;
}

static int64_t s_second (void)
{
    return zclock_mono () / 1000;
}

static uint64_t s_replay_budget (self_t *self, zp_wire_msg_t *msg)
{
    char peer[256];
    zp_wire_peer_text (msg, peer, sizeof peer);
    s_replay_budget_t *b = zhashx_lookup (self->replay_budgets, peer);
    if (!b) {
        if (zhashx_size (self->replay_budgets) >= S_REPLAY_PEERS) {
            /* Forget the peers that asked nothing this second. */
            zlistx_t *keys = zhashx_keys (self->replay_budgets);
            for (const char *k = zlistx_first (keys); k; k = zlistx_next (keys)) {
                s_replay_budget_t *old = zhashx_lookup (self->replay_budgets, k);
                if (old && old->second != s_second ())
                    zhashx_delete (self->replay_budgets, k);
            }
            zlistx_destroy (&keys);
            if (zhashx_size (self->replay_budgets) >= S_REPLAY_PEERS)
                return 0;
        }
        b = calloc (1, sizeof *b);
        if (!b || zhashx_insert (self->replay_budgets, peer, b) != 0) {
            free (b);
            return 0;
        }
    }
    if (b->second != s_second ()) {
        b->second = s_second ();
        b->served = 0;
    }
    return b->served < S_REPLAY_MAX ? S_REPLAY_MAX - b->served : 0;
}

static void s_replay_spend (self_t *self, zp_wire_msg_t *msg, uint64_t frames)
{
    char peer[256];
    zp_wire_peer_text (msg, peer, sizeof peer);
    s_replay_budget_t *b = zhashx_lookup (self->replay_budgets, peer);
    if (b)
        b->served += frames;
}

/* Sends broadcasts [from, to] again to whoever asked. */
static void s_on_replay (self_t *self, zp_wire_msg_t *msg)
{
    zp_replay_t r;
    int rc = zp_replay_decode (zp_wire_data (msg), zp_wire_size (msg), &r);
    if (rc != 0) {
        s_reject (self, msg, "a bad REPLAY", "%s", zp_frame_strerror (rc));
        return;
    }
    uint64_t first, published;
    zp_publisher_kept (self->publisher, &first, &published);
    uint64_t from = r.from ? r.from : 1;
    uint64_t to = r.to < published ? r.to : published;
    if (from < first && to >= from) {
        /* Not kept any more: said once, then what is kept. */
        if (zp_gone_encode (first, &self->w) == 0)
            zp_wire_send (self->control, &msg->identity, &self->w, true);
        from = first;
    }
    uint64_t budget = s_replay_budget (self, msg);
    if (to >= from && to - from >= budget)
        to = budget ? from + budget - 1 : from - 1;
    s_replay_spend (self, msg, to >= from ? to - from + 1 : 0);
    if (to >= from)
        zp_publisher_replay (self->publisher, from, to, self->control, &msg->identity);
}

static void s_on_control (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->control, true, &msg) != 0) {
        if (errno == EPROTO)
            s_reject (self, &msg, "a frame", "expected one part after the identity");
        zp_wire_close (&msg);
        return;
    }
    int kind = zp_frame_kind (zp_wire_data (&msg), zp_wire_size (&msg));
    int w = s_sender (self, &msg);
    const char *user = zp_wire_user (&msg);
    int beat = w < 0 ? s_heartbeat_sender (self, &msg) : -1;
    if (beat >= 0) {
        /* A node's heartbeat thread: a PING with the node's key, or nothing. */
        if (kind != ZP_MSG_PING)
            s_reject (self, &msg, "a frame", "kind %d on the heartbeat link of %s", kind,
                      s_node_name (self, (uint32_t) beat));
        else if (user && strcmp (user, self->workers[beat].key) != 0)
            s_reject (self, &msg, "a frame", "a heartbeat of %s with another key (%.8s...)",
                      s_node_name (self, (uint32_t) beat), user);
        else
            self->workers[beat].heard = zclock_mono ();
        zp_wire_close (&msg);
        return;
    }
    if (w >= 0 && user && strcmp (user, self->workers[w].key) != 0) {
        /* The identity of a node that joined, on a connection with another
           key: not that node. */
        s_reject (self, &msg, "a frame",
                  "kind %d with the identity of %s but another key (%.8s...)", kind,
                  s_node_name (self, (uint32_t) w), user);
        zp_wire_close (&msg);
        return;
    }
    /* Any frame from a node that joined says it lives, but a HELLO: that may
       be the same name started again, while the node that joined is gone
       (s_on_hello tells them apart). */
    if (w >= 0 && kind != ZP_MSG_HELLO)
        self->workers[w].heard = zclock_mono ();
    if (kind == ZP_MSG_PING && w >= 0)
        ; /* alive: noted above */
    else if (kind == ZP_MSG_REPLAY)
        s_on_replay (self, &msg);
    else if (self->state == S_OVER)
        ; /* late frames after the end: dropped */
    else if (kind == ZP_MSG_HELLO)
        s_on_hello (self, &msg);
    else if (w < 0)
        s_reject (self, &msg, "a frame", "kind %d from a peer that is not in the job", kind);
    else if (kind == ZP_MSG_FAIL) {
        zp_fail_t f;
        const char *role = (uint32_t) w < self->args->n_workers ? "worker" : "router";
        if (zp_fail_decode (zp_wire_data (&msg), zp_wire_size (&msg), &f) == 0)
            s_fail (self, "%s %s failed: %.*s", role, s_node_name (self, (uint32_t) w),
                    (int) f.text_len, f.text);
        else
            s_fail (self, "%s %s failed", role, s_node_name (self, (uint32_t) w));
    } else if (kind == ZP_MSG_READY && self->state == S_SYNCING) {
        zp_ready_t r;
        uint32_t index = (uint32_t) w < self->args->n_workers
                             ? (uint32_t) w
                             : (uint32_t) w - self->args->n_workers;
        if (zp_ready_decode (zp_wire_data (&msg), zp_wire_size (&msg), &r) == 0 &&
            r.worker == index && !self->workers[w].ready) {
            self->workers[w].ready = true;
            if (++self->n_ready == self->n_nodes) {
                self->state = S_RUNNING;
                for (size_t k = 0; k < self->args->program->n_aggregators; k++) {
                    const zp_aggregator_def_t *d = &self->args->program->aggregators[k];
                    self->aggregates[k] = zp_combiner_identity (d->op, d->type);
                }
                if (self->resume.step)
                    s_resume (self); /* its aggregates are those master() left */
                else {
                    /* Master compute before superstep 0 sets starting values
                       (a halt there is too early to honour: it is ignored). */
                    s_master_compute (self, 0);
                    if (self->args->n_routers)
                        s_replan (self, self->args->estimate);
                }
                if (self->state == S_RUNNING)
                    s_begin (self);
            }
        }
    } else if (kind == ZP_MSG_DONE && self->state == S_RUNNING &&
               (uint32_t) w < self->args->n_workers)
        s_on_done (self, w, &msg);
    else if (kind == ZP_MSG_MERGED && (uint32_t) w >= self->args->n_workers) {
        if (self->state == S_RUNNING) /* later: of the last superstep, nothing to check */
            s_on_merged (self, w, &msg);
    } else if (kind == ZP_MSG_RSTATS && self->state == S_COLLECTING &&
               (uint32_t) w >= self->args->n_workers)
        s_on_rstats (self, w, &msg);
    else if (kind == ZP_MSG_RESULT && self->state == S_COLLECTING)
        s_on_result (self, w, &msg);
    else
        zp_log_error ("master: dropped an unexpected frame (kind %d) from %s", kind,
                      s_node_name (self, (uint32_t) w));
    zp_wire_close (&msg);
}

/* While joining: SYNC, and the join deadline. */
static void s_on_join_timer (self_t *self)
{
    zp_broadcast_t b = {.kind = ZP_MSG_SYNC, .control = self->public_control};
    s_publish (self, &b);
    if (zclock_mono () < self->deadline)
        return;
    char missing[1024] = "";
    bool router_missing = false;
    uint32_t *lost = calloc (self->n_nodes, sizeof *lost);
    size_t n_lost = 0;
    for (uint32_t w = 0; w < self->n_nodes; w++) {
        s_worker_t *wk = &self->workers[w];
        if (self->state == S_JOINING ? wk->joined : wk->ready)
            continue;
        if (lost)
            lost[n_lost++] = w;
        size_t at = strlen (missing);
        bool router = w >= self->args->n_workers;
        router_missing |= router;
        snprintf (missing + at, sizeof missing - at, "%s%s%s (%s)", at ? ", " : "",
                  router ? "router " : "", s_node_name (self, w),
                  router ? self->args->router_where[w - self->args->n_workers]
                         : self->args->worker_where[w]);
    }
    const char *what = self->state == S_JOINING ? "join" : "confirm the broadcast";
    double seconds = self->args->join_timeout_ms / 1000.0;
    /* After a recovery, a node that was in the job and does not come back is lost. */
    if (self->args->recovering && lost)
        s_lost (self, "GONE", lost, n_lost, "%s did not come back within %.1fs: %s",
                router_missing ? "node(s)" : "worker(s)", seconds, missing);
    else
        s_fail (self, "%s did not %s within %.1fs: %s", router_missing ? "node(s)" : "worker(s)",
                what, seconds, missing);
    free (lost);
}

/* A node silent for liveness x heartbeat is lost: the job ends and says
   which and for how long; the owner may recover (zp_job). */
/* Frames read from control, at most, before a node is judged silent. */
#define S_DRAIN_MAX 10000

/* Whether the job is in a state where nodes are judged by their heartbeats. */
static bool s_judging (const self_t *self)
{
    return self->state == S_SYNCING || self->state == S_RUNNING || self->state == S_COLLECTING;
}

static void s_check_liveness (self_t *self, int64_t now)
{
    const zp_settings_t *set = &self->args->settings;
    int64_t limit = (int64_t) set->heartbeat_ms * set->liveness;
    bool drained = false;
    for (uint32_t w = 0; w < self->n_nodes; w++) {
        s_worker_t *wk = &self->workers[w];
        /* Liveness starts at READY: before it, a node that joined early
           waits (silent) for the others and then loads its partition,
           and the join deadline is what bounds that. */
        if (wk->ready && !wk->result && now - wk->heard > limit && !drained) {
            /* Silence is judged on drained input, as the nodes judge ours:
               a PING still waiting on the control socket is news from the
               node, however long the master itself was busy (a loaded
               machine, a large ASSIGN) before it looked. */
            drained = true;
            for (int i = 0;
                 i < S_DRAIN_MAX && s_judging (self) && (zsock_events (self->control) & ZMQ_POLLIN);
                 i++)
                s_on_control (self);
            if (!s_judging (self))
                return;
        }
        if (wk->ready && !wk->result && now - wk->heard > limit) {
            bool router = w >= self->args->n_workers;
            s_lost (self, "LOST", &w, 1, "%s %s (%s) is silent: no heartbeat for %.1fs",
                    router ? "router" : "worker", s_node_name (self, w),
                    router ? self->args->router_where[w - self->args->n_workers]
                           : self->args->worker_where[w],
                    (double) (now - wk->heard) / 1000);
            return;
        }
    }
}

/* How long a port held by a master that just ended (its sockets linger)
   is waited for. */
#define S_BIND_WAIT_MS 3000

/* Binds every endpoint; on failure says which and why in `why`. */
static bool s_bind_all (zsock_t *sock, const char *const *endpoints, size_t n, char *why,
                        size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (zp_wire_bind (sock, endpoints[i], S_BIND_WAIT_MS) != 0) {
            snprintf (why, len, "the master cannot bind %s: %s", endpoints[i],
                      zmq_strerror (zmq_errno ()));
            return false;
        }
    return true;
}

/* Makes the master's state for `a`: its arrays, its sockets bound, the
   checkpoint it resumes from (if asked), its publisher's heartbeat
   started. false with why in `why` when it cannot start; the state is then
   for s_self_destroy only. */
static bool s_self_new (self_t *self, zsock_t *pipe, const zp_master_args_t *a, char *why,
                        size_t whylen)
{
    self->pipe = pipe;
    self->args = a;
    uint32_t n = a->n_workers;
    self->n_nodes = n + a->n_routers;
    self->workers = calloc (self->n_nodes, sizeof *self->workers);
    uint32_t nr = a->n_routers;
    self->routes = calloc ((size_t) n * n + 1, sizeof *self->routes);
    self->routes_before = calloc ((size_t) n * n + 1, sizeof *self->routes_before);
    for (int k = 0; k < 2; k++) {
        self->merged[k] = calloc ((size_t) nr * n + 1, sizeof *self->merged[k]);
        self->merged_in[k] = calloc ((size_t) nr * n * n + 1, sizeof *self->merged_in[k]);
    }
    self->router_reports = calloc (a->n_routers + 1, sizeof *self->router_reports);
    self->partials = calloc ((size_t) n * ZP_MAX_AGGREGATORS, sizeof *self->partials);
    self->wsteps = calloc (n + 1, sizeof *self->wsteps);
    self->done_at = calloc (n + 1, sizeof *self->done_at);
    /* sent and sent_bytes are one allocation: the traffic matrix as reported. */
    self->sent = calloc ((size_t) 2 * n * n, sizeof *self->sent);
    self->sent_bytes = self->sent ? self->sent + (size_t) n * n : NULL;
    self->prev_sent = calloc ((size_t) n * n, sizeof *self->prev_sent);
    self->received = calloc ((size_t) (n + nr) * n, sizeof *self->received);
    self->values = calloc (a->graph->n ? a->graph->n * zp_program_value_words (a->program) : 1,
                           sizeof *self->values);
    zp_cbor_writer_init (&self->w, 1 << 16);
    self->replay_budgets = zhashx_new ();
    self->stall_ms = zp_node_inject_master_stall ();
    if (self->replay_budgets)
        zhashx_set_destructor (self->replay_budgets, s_free_item);
    snprintf (why, whylen, "the master cannot start: out of memory or sockets");
    self->control = zsock_new (ZMQ_ROUTER);
    zsock_t *bcast = zsock_new (ZMQ_PUB);
    bool ok = self->workers && self->partials && self->wsteps && self->done_at && self->sent &&
              self->prev_sent && self->received && self->routes && self->routes_before &&
              self->merged[0] && self->merged[1] && self->merged_in[0] && self->merged_in[1] &&
              self->values && self->control && bcast && self->replay_budgets;
    if (ok) {
        zsock_set_router_mandatory (self->control, 1);
        zsock_set_linger (self->control, 2000);
        zsock_set_linger (bcast, 1000);
        zsock_set_sndhwm (bcast, 100000);
        zp_security_server (a->security, self->control);
        zp_security_server (a->security, bcast);
        ok = s_bind_all (self->control, a->control, a->n_control, why, whylen) &&
             s_bind_all (bcast, a->broadcast, a->n_broadcast, why, whylen);
    }
    if (ok) {
        /* The tcp endpoints, if any, are bound last: their ports, as the
           system chose them when the job file leaves them open. */
        char *control = zsock_last_endpoint (self->control);
        char *published = zsock_last_endpoint (bcast);
        /* tcp, or ipc for a job watched from this machine only */
        if (control && (zp_endpoint_is_tcp (control) || !strncmp (control, "ipc://", 6)))
            snprintf (self->bound.control, sizeof self->bound.control, "%s", control);
        if (published && (zp_endpoint_is_tcp (published) || !strncmp (published, "ipc://", 6)))
            snprintf (self->bound.broadcast, sizeof self->bound.broadcast, "%s", published);
        zstr_free (&control);
        zstr_free (&published);
        self->public_control = self->bound.control[0] ? self->bound.control : a->public_control;
        if (a->bound)
            *a->bound = self->bound;
        self->publisher = zp_publisher_new (&bcast);
        ok = self->publisher != NULL;
    }
    zsock_destroy (&bcast); /* not bound, or no publisher */
    if (ok) {
        self->fingerprint =
            zp_checkpoint_fingerprint_of (a->program_name, a->params, a->program->n_params,
                                          a->layout, &self->current.job_fingerprint);
        self->current.fingerprint = self->fingerprint;
        zp_manifest_placement (&self->current, a->layout);
    }
    if (ok && a->resume) {
        const char *dir = a->settings.checkpoint_dir;
        int rc = dir ? zp_manifest_latest (dir, self->fingerprint, &self->resume, why, whylen) : -1;
        if (!dir)
            snprintf (why, whylen, "cannot resume: the job sets no reliability.checkpoint_dir");
        else if (rc == 1)
            snprintf (why, whylen, "cannot resume: no complete checkpoint in %s", dir);
        else if (rc == 0 && self->resume.n_workers != n)
            snprintf (why, whylen, "cannot resume: the checkpoint in %s has %u workers, not %u",
                      dir, self->resume.n_workers, n);
        ok = rc == 0 && (!self->resume.step || self->resume.n_workers == n);
        if (ok && self->resume.step)
            zp_log_info ("master: resuming from the checkpoint of superstep %u in %s",
                         self->resume.step, dir);
    } else if (ok && a->settings.checkpoint_every)
        zp_checkpoint_clear (a->settings.checkpoint_dir); /* never resume into another run */
    if (ok && zp_publisher_start_heartbeat (self->publisher, a->heartbeat_ms,
                                            self->public_control) != 0) {
        snprintf (why, whylen, "the master cannot start its heartbeat thread");
        ok = false;
    }
    return ok;
}

/* Frees what s_self_new made, whether or not the master started. */
static void s_self_destroy (self_t *self)
{
    s_report_suppressed (self, true);
    for (uint32_t w = 0; self->workers && w < self->n_nodes; w++) {
        s_worker_t *wk = &self->workers[w];
        if (wk->joined)
            zmq_msg_close (&wk->identity);
        for (size_t i = 0; i < wk->n_endpoints; i++)
            free (wk->endpoints[i]);
        free (wk->locality);
        free (wk->peer);
    }
    free (self->workers);
    free (self->routes);
    free (self->routes_before);
    for (int k = 0; k < 2; k++) {
        free (self->merged[k]);
        free (self->merged_in[k]);
    }
    free (self->router_reports);
    zp_plan_destroy (&self->plan);
    zp_manifest_free (&self->resume);
    free (self->partials);
    free (self->wsteps);
    free (self->done_at);
    free (self->sent);
    free (self->prev_sent);
    free (self->received);
    free (self->values);
    zp_cbor_writer_free (&self->w);
    zhashx_destroy (&self->replay_budgets);
    zsock_destroy (&self->control);
    zp_publisher_destroy (&self->publisher);
}

void zp_master_actor (zsock_t *pipe, void *argp)
{
    const zp_master_args_t *a = argp;
    self_t self_s = {0}, *self = &self_s;
    char why[1024];
    bool ok = s_self_new (self, pipe, a, why, sizeof why);
    if (a->bound)
        a->bound->started = ok;
    zsock_signal (pipe, ok ? 0 : 1);
    /* zactor_new took the signal: say why on the pipe, where the owner reads. */
    if (!ok)
        zsock_send (pipe, "ssb", "FAIL", why, NULL, (size_t) 0);
    zpoller_t *poller = ok ? zpoller_new (pipe, self->control, NULL) : NULL;
    self->deadline = zclock_mono () + a->join_timeout_ms;
    int64_t next_sync = zclock_mono ();
    int64_t next_report = zclock_mono () + a->heartbeat_ms;
    while (poller) {
        int64_t now = zclock_mono ();
        bool joining = self->state == S_JOINING || self->state == S_SYNCING;
        int64_t next = joining && next_sync < next_report ? next_sync : next_report;
        zsock_t *which = zpoller_wait (poller, (int) (next > now ? next - now : 0));
        if (which == pipe) {
            if (zp_node_told_to_end (pipe))
                break;
        } else if (which == self->control)
            s_on_control (self);
        else if (!which && zpoller_terminated (poller))
            break;
        now = zclock_mono ();
        if ((self->state == S_JOINING || self->state == S_SYNCING) && now >= next_sync) {
            s_on_join_timer (self);
            next_sync = now + 20;
        }
        if (s_judging (self))
            s_check_liveness (self, now);
        if (now >= next_report) {
            s_report_suppressed (self, false);
            next_report = now + a->heartbeat_ms;
        }
    }
    zpoller_destroy (&poller);
    s_self_destroy (self);
}

int zp_master_report_recv (zactor_t *master, uint32_t n_workers, uint32_t n_routers,
                           zp_master_report_t *r)
{
    memset (r, 0, sizeof *r);
    char *cmd = NULL;
    zframe_t **f = r->frames;
    if (zsock_recv (master, "sffff", &cmd, &f[0], &f[1], &f[2], &f[3]) != 0 || !cmd) {
        zstr_free (&cmd);
        zp_master_report_free (r);
        return -1;
    }
    size_t n = n_workers;
    int rc = 0;
    if (streq (cmd, "STEP") && f[0] && zframe_size (f[0]) == sizeof r->step) {
        r->kind = ZP_MASTER_STEP;
        memcpy (&r->step, zframe_data (f[0]), sizeof r->step);
        bool traffic = f[1] && zframe_size (f[1]) == 2 * n * n * sizeof (uint64_t);
        bool workers = f[2] && zframe_size (f[2]) == n * sizeof (zp_worker_step_t);
        r->step.n_workers = n_workers;
        r->step.sent_messages = traffic ? (const uint64_t *) zframe_data (f[1]) : NULL;
        r->step.sent_bytes = traffic ? r->step.sent_messages + n * n : NULL;
        r->step.workers = workers ? (const zp_worker_step_t *) zframe_data (f[2]) : NULL;
        r->whole = traffic && workers;
        if (f[3] && zframe_size (f[3]) == n * n * sizeof (uint32_t))
            r->routes = (const uint32_t *) zframe_data (f[3]);
    } else if (streq (cmd, "DONE") && f[0] && zframe_size (f[0]) == sizeof r->values) {
        r->kind = ZP_MASTER_DONE;
        memcpy (&r->values, zframe_data (f[0]), sizeof r->values);
        if (n_routers && f[1] && zframe_size (f[1]) == n_routers * sizeof (zp_router_report_t))
            r->routers = (const zp_router_report_t *) zframe_data (f[1]);
    } else if (streq (cmd, "FAIL") || streq (cmd, "LOST") || streq (cmd, "GONE")) {
        r->kind = streq (cmd, "FAIL")   ? ZP_MASTER_FAIL
                  : streq (cmd, "LOST") ? ZP_MASTER_LOST
                                        : ZP_MASTER_GONE;
        if (f[0])
            snprintf (r->text, sizeof r->text, "%.*s", (int) zframe_size (f[0]),
                      (const char *) zframe_data (f[0]));
        if (r->kind != ZP_MASTER_FAIL && f[1]) {
            r->nodes = (const uint32_t *) zframe_data (f[1]);
            r->n_nodes = zframe_size (f[1]) / sizeof (uint32_t);
        }
    } else {
        snprintf (r->text, sizeof r->text, "unexpected report from the master: %s", cmd);
        rc = -2;
    }
    zstr_free (&cmd);
    return rc;
}

void zp_master_report_free (zp_master_report_t *r)
{
    for (int i = 0; i < 4; i++)
        zframe_destroy (&r->frames[i]);
}

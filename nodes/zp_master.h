/*  zp_master: the master node, as a czmq actor.

    The master binds a control ROUTER and a broadcast PUB, waits for every
    worker's HELLO, sends each its ASSIGN (with, for each peer, the endpoint
    this worker should use: inproc when both run in one process, tcp otherwise), publishes SYNC
   until every worker has confirmed that its subscription works (READY), then drives supersteps:
   BEGIN, wait for every DONE (the barrier), combine the aggregators, check that what each worker
   says it sent to another is what the other says it received, decide whether to stop. At the end it
    publishes TERMINATE, collects every worker's values and sends BYE.
    Its publisher (zp_publisher.h) keeps the broadcasts for REPLAY (a worker
    that saw a gap, a late watcher) and publishes a HEARTBEAT every
    heartbeat_ms from a thread of its own.

    It reports to its owner over the actor pipe, after each superstep (STEP:
    the superstep's report, the traffic matrix, each worker's part, the
    routes), at the end (DONE: the values and the routers' reports), or when
    the job fails (FAIL, LOST, GONE: why, and which nodes), and then waits
    for $TERM. zp_master_report_recv reads one such report: the frames are
    written and read here, next to each other.
*/
#ifndef ZP_MASTER_H
#define ZP_MASTER_H

#include "zp_control.h"
#include "zp_graph.h"
#include "zpregel/zp_job.h"
#include "zp_layout.h"
#include "zpregel/zp_program.h"
#include "zp_plan.h"
#include "zpregel/zp_security.h"
#include "zp_traffic.h"

#include <czmq.h>

#define ZP_MASTER_MAX_BINDS 2

typedef enum { ZP_RESUME_NO, ZP_RESUME_REQUIRED, ZP_RESUME_IF_ANY } zp_resume_t;

/* Where the master's tcp (or ipc) endpoints were bound, their ports
   resolved ("" when it binds none), and whether it started at all:
   written by the actor before zactor_new returns. A master that did not
   start (it cannot bind, say) tells why on its pipe; no node may be
   started for it, or nodes with fixed endpoints would join whatever
   master holds them. */
typedef struct {
    char control[300];
    char broadcast[300];
    bool started;
} zp_master_bound_t;

typedef struct {
    uint64_t job;
    /* Endpoints to bind: an inproc one for workers in this process, a tcp one
       for the others (either may be absent). */
    size_t n_control;
    const char *control[ZP_MASTER_MAX_BINDS];
    size_t n_broadcast;
    const char *broadcast[ZP_MASTER_MAX_BINDS];
    const char *public_control; /* named in SYNC and HEARTBEAT broadcasts (if not bound on tcp) */
    zp_master_bound_t *bound;   /* written, or NULL */
    uint32_t join_timeout_ms;
    uint32_t heartbeat_ms; /* HEARTBEAT broadcasts; nodes' liveness is in settings */
    uint32_t n_workers;
    const char *const *worker_names; /* n_workers, as in the job file */
    const char *const *worker_where; /* n_workers, how to find it, for error messages */
    const zp_graph_t *graph;
    /* Called on the master's thread once every partition is sent: the
       master reads no edge of `graph` after it (zp_graph_drop_edges). */
    void (*shipped) (void *ctx);
    void *shipped_ctx;
    const zp_layout_t *layout;
    const zp_program_t *program;
    const char *program_name; /* what workers load */
    const zp_value_t *params; /* program->n_params resolved values */
    zp_settings_t settings;
    /* Routers and routing (n_routers may be 0: every route is direct). */
    uint32_t n_routers;
    const char *const *router_names;
    const char *const *router_where;
    zp_plan_options_t routing;
    uint32_t replan_every; /* auto mode: re-plan from measured traffic every this many supersteps */
    const zp_traffic_matrix_t *estimate; /* traffic for the first plan */
    /* Where to start: superstep 0 (and forget older checkpoints), or the
       newest complete checkpoint in settings.checkpoint_dir, failing at
       once (REQUIRED) or starting from 0 (IF_ANY) if there is none. */
    zp_resume_t resume;
    /* This run replaces one that lost a node: a node that does not join in
       time is reported GONE, not missing. */
    bool recovering;
    const zp_security_t *security; /* CURVE on its tcp sockets, or NULL */
    /* The workers', then the routers', host and rack as the job file says
       (NULL, or an item NULL: not said). A host said here is the node's
       host in route plans; else the host its HELLO names. */
    const char *const *node_hosts;
    const char *const *node_racks;
} zp_master_args_t;

/* The actor body: pass it to zactor_new with a zp_master_args_t, which must
   stay valid until the actor is destroyed. */
void zp_master_actor (zsock_t *pipe, void *args);

typedef enum {
    ZP_MASTER_STEP, /* a superstep is over */
    ZP_MASTER_DONE, /* the job finished: the values */
    ZP_MASTER_FAIL, /* the job failed: why */
    ZP_MASTER_LOST, /* the job failed because nodes went silent: why, and which */
    ZP_MASTER_GONE  /* (when recovering) nodes did not join again: why, and which */
} zp_master_report_kind_t;

/* One report of the master to its owner. */
typedef struct {
    zp_master_report_kind_t kind;
    /* STEP: the report, its traffic matrix (sent_messages, then sent_bytes:
       n x n, row = sender) and its workers' parts, all pointing into the
       frames; `whole` when every part came with its size. `routes`: n x n
       route codes of the superstep (zp_plan.h), or NULL. */
    zp_step_report_t step;
    bool whole;
    const uint32_t *routes;
    /* DONE: the values by handle (zp_value_t[|V|]; the owner frees them),
       and one report per router (n_routers of them), or NULL. */
    zp_value_t *values;
    const zp_router_report_t *routers;
    /* FAIL, LOST, GONE: why; LOST and GONE: the nodes' indices (workers,
       then routers). */
    char text[1024];
    const uint32_t *nodes;
    size_t n_nodes;
    zframe_t *frames[4]; /* what the pointers above point into */
} zp_master_report_t;

/* Reads the master's next report from `master` (its actor), for a job of
   `n_workers` workers and `n_routers` routers. 0; -1 when the master is
   gone (the pipe broke); -2 when the report is not one of the above (then
   report->text says what came). Free with zp_master_report_free. */
int zp_master_report_recv (zactor_t *master, uint32_t n_workers, uint32_t n_routers,
                           zp_master_report_t *report);
void zp_master_report_free (zp_master_report_t *report);

#endif

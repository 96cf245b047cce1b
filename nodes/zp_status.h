/*  zp_status: what a running job looks like from outside, for master.http.

    zp_job feeds it (the graph once loaded, every superstep's report, the
    state, recoveries) from its own thread; the HTTP server (zp_http) reads
    it from its threads and renders it as Prometheus metrics or as the JSON
    the status page polls. A mutex keeps the two apart; rendering copies
    nothing the job changes under it.
*/
#ifndef ZP_STATUS_H
#define ZP_STATUS_H

#include "zpregel/zp_config.h"
#include "zpregel/zp_job.h"
#include "zpregel/zp_program.h"

#include <stdint.h>

typedef enum {
    ZP_STATE_LOADING,
    ZP_STATE_RUNNING,
    ZP_STATE_RECOVERING,
    ZP_STATE_FINISHED,
    ZP_STATE_FAILED
} zp_job_state_t;

typedef struct zp_status_s zp_status_t;

/* For the job of `cfg` (borrowed: it outlives the status). NULL when out
   of memory. */
zp_status_t *zp_status_new (const zp_config_t *cfg);
void zp_status_destroy (zp_status_t **self_p);

void zp_status_set_state (zp_status_t *self, zp_job_state_t state);
/* Why the job failed (shown with the state "failed"). */
void zp_status_set_error (zp_status_t *self, const char *error);
/* The program and graph, once loaded, and where the vertices went:
   vertices_of and edges_of have cfg->n_workers items (by the config's
   order). */
void zp_status_set_graph (zp_status_t *self, const zp_program_t *program, uint64_t vertices,
                          uint64_t edges, bool directed, const uint64_t *vertices_of,
                          const uint64_t *edges_of);
/* A superstep ended. `routes` (may be NULL) holds the superstep's route
   plan, n x n route words (zp_plan.h) for the report's workers, whose
   routers are router_names[0 .. n_routers). */
void zp_status_step (zp_status_t *self, const zp_step_report_t *report, const uint32_t *routes,
                     const char *const *router_names, uint32_t n_routers);
void zp_status_recovered (zp_status_t *self);

/* The Prometheus text exposition (version 0.0.4), or the status page's
   JSON: malloc'd, NULL when out of memory. */
char *zp_status_metrics (zp_status_t *self);
char *zp_status_json (zp_status_t *self);
/* The JSON's fields before its supersteps, workers, aggregators and plan:
   the job in brief, for the history's list. */
char *zp_status_brief_json (zp_status_t *self);

#endif

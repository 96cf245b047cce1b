/*  zp_job_internal: the parts of zp_job that the zpregel commands share
    (spawning a node, placing a graph, resolving parameters); not installed.
*/
#ifndef ZP_JOB_INTERNAL_H
#define ZP_JOB_INTERNAL_H

#include "zp_graph.h"
#include "zp_layout.h"
#include "zp_properties.h"
#include "zpregel/zp_job.h"
#include "zpregel/zp_program.h"

#include <sys/types.h>

/* Starts node `name` of `cfg` as a child process:
   exe worker|router JOB.yaml --name NAME [--set OVERRIDE]... */
pid_t zp_job_spawn_node (const char *exe, const zp_config_t *cfg, bool router, const char *name,
                         const char *const *overrides, size_t n_overrides);

/* The placement the job file asks for (placement.*, the workers'
   weights, which go into `weights`: cfg->n_workers of them). */
zp_placement_t zp_job_placement (const zp_config_t *cfg, double *weights);
/* Places g as the job file asks: NULL if memory ran out. */
zp_layout_t *zp_job_layout (const zp_config_t *cfg, const zp_graph_t *g);

/* The traffic the program's messages would make between the workers of
   `layout` (zp_layout_estimate_traffic), with the workers grouped by the
   racks their `hosts` are in (the job file's racks:, for what a rack's
   router can combine). 0, or -1 if memory ran out. */
int zp_job_estimate_traffic (const zp_config_t *cfg, const zp_layout_t *layout, const zp_graph_t *g,
                             const char *const *hosts, zp_traffic_matrix_t *m);

/* Resolves the program's parameters into values (in the order of
   program->params). `props` may be NULL. 0, or -1 with a message naming where
   the bad value came from. */
int zp_job_resolve_params (const zp_config_t *cfg, const zp_program_t *program,
                           const zp_properties_t *props, const zp_graph_t *g, zp_value_t *values,
                           char *err, size_t errlen);

#endif

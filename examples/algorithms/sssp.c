/*  SSSP (LDBC Graphalytics): the shortest distance from a source over
    non-negative edge weights, following out-edges; infinity when unreachable.

    Distributed Bellman-Ford: a vertex whose distance drops offers
    distance + weight to each out-neighbour; a min-combiner keeps the best
    offer per target; a vertex sleeps until a shorter offer wakes it.
*/
#include "zpregel/zp_program.h"

#include <math.h>
#include <stdlib.h>

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    uint64_t *source = malloc (sizeof *source);
    if (!source)
        return -1;
    *source = zp_param_u64 (params, "source");
    *state = source;
    return 0;
}

/* Every vertex but the source sleeps from the start: superstep 0
   computes the source alone. */
static void s_init (zp_vertex_t *v)
{
    zp_set_f64 (v, INFINITY);
    if (zp_id (v) != *(const uint64_t *) zp_state (v))
        zp_vote_to_halt (v);
}

static void s_compute (zp_vertex_t *v)
{
    double dist = zp_get_f64 (v);
    if (zp_superstep (v) == 0) {
        if (zp_id (v) == *(const uint64_t *) zp_state (v))
            dist = 0;
    } else if (zp_message_count (v))
        dist = zp_message_f64 (v, 0);
    if (dist < zp_get_f64 (v)) {
        zp_set_f64 (v, dist);
        zp_send_out_plus_weight (v, dist); /* dist + each edge's weight */
    }
    zp_vote_to_halt (v);
}

static const zp_param_def_t s_params[] = {
    {"source", ZP_VERTEX, "sssp.source-vertex", true, {.u64 = 0}, "id of the source vertex"},
};

const zp_program_t zp_sssp_program = {
    .api_version = ZP_API_VERSION,
    .name = "sssp",
    .description = "single-source shortest paths over edge weights (LDBC Graphalytics)",
    .value_type = ZP_F64,
    .message_type = ZP_F64,
    .combiner = ZP_COMBINE_MIN,
    .flags = ZP_NEEDS_WEIGHTS | ZP_PLACEMENT_FREE | ZP_THREAD_SAFE,
    .weight_property = "sssp.weight-property",
    .params = s_params,
    .n_params = 1,
    .setup = s_setup,
    .teardown = free,
    .init = s_init,
    .compute = s_compute,
};

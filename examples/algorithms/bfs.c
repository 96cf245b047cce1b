/*  BFS (LDBC Graphalytics): the depth of every vertex from a source, following
    out-edges; 9223372036854775807 for a vertex the source cannot reach.

    A min-combiner merges the depths offered to a vertex, so it sees at most
    one message a superstep; it sleeps until a smaller depth wakes it. Each
    vertex is settled in the superstep that reaches it first, so the job runs
    (eccentricity of the source + 2) supersteps.
*/
#include "zpregel/zp_program.h"

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
   computes the source alone (a sparse superstep visits only the blocks
   of vertices awake or sent to), not every vertex to put it to sleep. */
static void s_init (zp_vertex_t *v)
{
    zp_set_i64 (v, INT64_MAX);
    if (zp_id (v) != *(const uint64_t *) zp_state (v))
        zp_vote_to_halt (v);
}

static void s_compute (zp_vertex_t *v)
{
    int64_t depth = zp_get_i64 (v);
    if (zp_superstep (v) == 0) {
        if (zp_id (v) == *(const uint64_t *) zp_state (v))
            depth = 0;
    } else if (zp_message_count (v))
        depth = zp_message_i64 (v, 0);
    if (depth < zp_get_i64 (v)) {
        zp_set_i64 (v, depth);
        zp_send_out_i64 (v, depth + 1);
    }
    zp_vote_to_halt (v);
}

static const zp_param_def_t s_params[] = {
    {"source", ZP_VERTEX, "bfs.source-vertex", true, {.u64 = 0}, "id of the source vertex"},
};

const zp_program_t zp_bfs_program = {
    .api_version = ZP_API_VERSION,
    .name = "bfs",
    .description = "breadth-first search depths (LDBC Graphalytics)",
    .value_type = ZP_I64,
    .message_type = ZP_I64,
    .combiner = ZP_COMBINE_MIN,
    .flags = ZP_PLACEMENT_FREE | ZP_THREAD_SAFE | ZP_MONOTONE,
    .params = s_params,
    .n_params = 1,
    .setup = s_setup,
    .teardown = free,
    .init = s_init,
    .compute = s_compute,
};

/*  WCC (LDBC Graphalytics): weakly connected components, each labelled with
    its smallest vertex id (any uint64). Edge direction is ignored, so in a directed graph a
    label travels along in-edges as well as out-edges.

    Min-label propagation: a vertex adopts the smallest label offered (a
    min-combiner keeps one per target), passes it on, and sleeps until a
    smaller one arrives.
*/
#include "zpregel/zp_program.h"

static void s_send (zp_vertex_t *v, uint64_t label)
{
    zp_send_out_u64 (v, label);
    if (zp_directed (v))
        zp_send_in_u64 (v, label); /* undirected graphs have in-edges = out-edges */
}

static void s_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        zp_set_u64 (v, zp_id (v));
        s_send (v, zp_id (v));
    } else if (zp_message_count (v) && zp_message_u64 (v, 0) < zp_get_u64 (v)) {
        zp_set_u64 (v, zp_message_u64 (v, 0));
        s_send (v, zp_message_u64 (v, 0));
    }
    zp_vote_to_halt (v);
}

const zp_program_t zp_wcc_program = {
    .api_version = ZP_API_VERSION,
    .name = "wcc",
    .description = "weakly connected components, labelled by smallest id (LDBC Graphalytics)",
    .value_type = ZP_U64, /* ids: any uint64 */
    .message_type = ZP_U64,
    .combiner = ZP_COMBINE_MIN,
    .flags = ZP_NEEDS_IN_EDGES | ZP_PLACEMENT_FREE | ZP_THREAD_SAFE,
    .compute = s_compute,
};

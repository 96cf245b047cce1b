/*  Vertex input values: each vertex's value is its own input value plus
    the sum of its in-neighbours' (the number after each id in the .v
    file). */
#include "zpregel/zp_program.h"

static void s_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        zp_set_f64 (v, zp_input_f64 (v));
        zp_send_out_f64 (v, zp_input_f64 (v));
        return;
    }
    zp_set_f64 (v, zp_input_f64 (v) + (zp_message_count (v) ? zp_message_f64 (v, 0) : 0));
    zp_vote_to_halt (v);
}

const zp_program_t zp_program = {
    .api_version = ZP_API_VERSION,
    .name = "input-values",
    .value_type = ZP_F64,
    .message_type = ZP_F64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_PLACEMENT_FREE | ZP_NEEDS_VERTEX_VALUES,
    .compute = s_compute,
};

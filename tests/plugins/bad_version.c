/* A plugin built for another API version: zpregel must refuse it. */
#include <zpregel/zp_program.h>

static void s_compute (zp_vertex_t *v)
{
    zp_vote_to_halt (v);
}

const zp_program_t zp_program = {
    .api_version = 100,
    .name = "from-the-future",
    .value_type = ZP_F64,
    .message_type = ZP_F64,
    .compute = s_compute,
};

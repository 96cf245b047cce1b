/*  A test program that crashes: in superstep 1, at the vertex whose id is
    `crash_at`, it raises SIGSEGV (as a bad pointer would). */
#include <zpregel/zp_program.h>

#include <signal.h>

static uint64_t s_crash_at;

static void s_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 1 && zp_id (v) == s_crash_at)
        raise (SIGSEGV);
    if (zp_superstep (v) == 0)
        zp_send_out_i64 (v, 1);
    else
        zp_vote_to_halt (v);
}

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    s_crash_at = zp_param_u64 (params, "crash_at");
    return 0;
}

static const zp_param_def_t s_params[] = {
    {"crash_at", ZP_VERTEX, NULL, true, {.u64 = 0}, "the vertex that crashes in superstep 1"},
};

const zp_program_t zp_program = {
    .api_version = ZP_API_VERSION,
    .name = "crash",
    .description = "crashes at one vertex",
    .value_type = ZP_I64,
    .message_type = ZP_I64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_THREAD_SAFE,
    .params = s_params,
    .n_params = 1,
    .setup = s_setup,
    .compute = s_compute,
};

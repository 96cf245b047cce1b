/*  A test program whose superstep 0 computes for a long time: every vertex
    sleeps `vertex_ms` before it sends, and the vertex with the last handle
    `last_ms` more (with engine.threads it is on the last thread, while the
    first one waits). It counts in-degrees (the value is the number of
    in-neighbours), so the answer is easy to check. */
#include <zpregel/zp_program.h>

#include <time.h>

static void s_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        const int64_t *pace = zp_state (v);
        int64_t ms = pace[0] + (zp_handle (v) + 1 == zp_vertex_count (v) ? pace[1] : 0);
        struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep (&t, NULL);
        zp_send_out_i64 (v, 1);
    } else
        zp_set_i64 (v, zp_message_count (v) ? zp_message_i64 (v, 0) : 0);
    zp_vote_to_halt (v);
}

static int64_t s_ms[2];

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    s_ms[0] = zp_param_i64 (params, "vertex_ms");
    s_ms[1] = zp_param_i64 (params, "last_ms");
    *state = s_ms;
    return 0;
}

static const zp_param_def_t s_params[] = {
    {"vertex_ms", ZP_I64, NULL, false, {.i64 = 0}, "how long each vertex sleeps in superstep 0"},
    {"last_ms", ZP_I64, NULL, false, {.i64 = 0}, "how much longer the last handle sleeps"},
};

const zp_program_t zp_program = {
    .api_version = ZP_API_VERSION,
    .name = "slow-indegree",
    .description = "in-degree, after a long superstep 0",
    .value_type = ZP_I64,
    .message_type = ZP_I64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_PLACEMENT_FREE | ZP_THREAD_SAFE,
    .params = s_params,
    .n_params = 2,
    .setup = s_setup,
    .compute = s_compute,
};

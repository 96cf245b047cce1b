/*  A test program that reads its neighbours' values in place (API
    version 5, ZP_READS_NEIGHBOURS) and sends no message: each vertex
    starts at its id and, in each of `rounds` supersteps, takes the
    largest of its value, its in-neighbours' values and its
    out-neighbours' values less one (so that reading one for the other
    gives another answer). `early` 1 reads an out-neighbour's value in
    superstep 0, before there is one: an error. */
#include <zpregel/zp_program.h>

static int64_t s_rounds, s_early;

static void s_compute (zp_vertex_t *v)
{
    uint32_t step = zp_superstep (v);
    if (step == 0) {
        zp_set_i64 (v, (int64_t) zp_id (v));
        if (s_early && zp_out_degree (v))
            zp_set_i64 (v, zp_out_value_i64 (v, 0));
        return;
    }
    int64_t best = zp_get_i64 (v);
    for (size_t i = 0, n = zp_in_degree (v); i < n; i++)
        if (zp_in_value_i64 (v, i) > best)
            best = zp_in_value_i64 (v, i);
    for (size_t i = 0, n = zp_out_degree (v); i < n; i++)
        if (zp_out_value_i64 (v, i) - 1 > best)
            best = zp_out_value_i64 (v, i) - 1;
    zp_set_i64 (v, best);
    if (step >= s_rounds)
        zp_vote_to_halt (v);
}

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    (void) state;
    (void) err;
    (void) errlen;
    s_rounds = zp_param_i64 (params, "rounds");
    s_early = zp_param_i64 (params, "early");
    return 0;
}

static const zp_param_def_t s_params[] = {
    {"rounds", ZP_I64, NULL, false, {.i64 = 6}, "supersteps that read the neighbours"},
    {"early", ZP_I64, NULL, false, {.i64 = 0}, "1: read a neighbour in superstep 0"},
};

const zp_program_t zp_program = {
    .api_version = ZP_API_VERSION,
    .name = "neighbour_max",
    .description = "the largest value among a vertex's neighbours, read in place",
    .value_type = ZP_I64,
    .message_type = ZP_I64,
    .combiner = ZP_COMBINE_NONE,
    .flags = ZP_READS_NEIGHBOURS | ZP_THREAD_SAFE,
    .params = s_params,
    .n_params = 2,
    .setup = s_setup,
    .compute = s_compute,
};

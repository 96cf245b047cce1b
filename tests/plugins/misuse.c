/*  A test program that misuses the vertex API in one way, chosen by
    `mistake`, at the vertex whose id is `at` (1) in superstep 1:
      1 zp_aggregate_f64 with an index past the program's aggregators
      2 zp_in_degree without ZP_NEEDS_IN_EDGES (on a directed graph)
      3 zp_out_weight without ZP_NEEDS_WEIGHTS
      4 zp_message_f64 past the message count
      5 zp_out_target past the out-degree
      6 zp_send_i64 from a program whose messages are f64
      7 zp_get_i64 of an f64 value
      8 zp_send_out_f64 in init(), not in superstep 1
      9 zp_out_value_f64 without ZP_READS_NEIGHBOURS
     10 zp_send_out_plus_weight without ZP_NEEDS_WEIGHTS
     11 zp_scratch of more memory than there is
     12 zp_local_value of a handle past |V|
     13 zp_send_each_f64 to a list with a handle past |V|
    0 makes no mistake. */
#include <zpregel/zp_program.h>

static int64_t s_mistake;
static uint64_t s_at;
static volatile double s_sink;

static void s_init (zp_vertex_t *v)
{
    if (s_mistake == 8 && zp_id (v) == s_at)
        zp_send_out_f64 (v, 1.0);
}

static void s_compute (zp_vertex_t *v)
{
    if (zp_superstep (v) == 0) {
        zp_send_out_f64 (v, 1.0);
        return;
    }
    if (zp_id (v) == s_at) {
        size_t past = zp_message_count (v) + 5;
        switch (s_mistake) {
        case 1:
            zp_aggregate_f64 (v, 3, 1.0);
            break;
        case 2:
            s_sink = (double) zp_in_degree (v);
            break;
        case 3:
            s_sink = zp_out_weight (v, 0);
            break;
        case 4:
            s_sink = zp_message_f64 (v, past);
            break;
        case 5:
            s_sink = zp_out_target (v, zp_out_degree (v) + 2);
            break;
        case 6:
            zp_send_i64 (v, zp_handle (v), 1);
            break;
        case 7:
            s_sink = (double) zp_get_i64 (v);
            break;
        case 9:
            s_sink = zp_out_value_f64 (v, 0);
            break;
        case 10:
            zp_send_out_plus_weight (v, 1.0);
            break;
        case 11:
            s_sink = zp_scratch (v, (size_t) 1 << 62) ? 1 : 0;
            break;
        case 12:
            s_sink = zp_local_value (v, (zp_handle_t) zp_vertex_count (v) + 3) ? 1 : 0;
            break;
        case 13: {
            zp_handle_t to[] = {zp_handle (v), (zp_handle_t) zp_vertex_count (v)};
            zp_send_each_f64 (v, to, 2, 1.0);
            break;
        }
        }
    }
    zp_set_f64 (v, zp_message_count (v) ? zp_message_f64 (v, 0) : 0.0);
    zp_vote_to_halt (v);
}

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    s_mistake = zp_param_i64 (params, "mistake");
    s_at = zp_param_u64 (params, "at");
    return 0;
}

static const zp_param_def_t s_params[] = {
    {"mistake", ZP_I64, NULL, false, {.i64 = 0}, "which misuse (see the source)"},
    {"at", ZP_VERTEX, NULL, false, {.u64 = 1}, "the vertex that makes it"},
};

static const zp_aggregator_def_t s_aggregators[] = {{"sum", ZP_F64, ZP_COMBINE_SUM}};

const zp_program_t zp_program = {
    .api_version = ZP_API_VERSION,
    .name = "misuse",
    .description = "misuses the vertex API on purpose",
    .value_type = ZP_F64,
    .message_type = ZP_F64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_THREAD_SAFE,
    .params = s_params,
    .n_params = 2,
    .aggregators = s_aggregators,
    .n_aggregators = 1,
    .setup = s_setup,
    .init = s_init,
    .compute = s_compute,
};

/*  A test program that runs `steps` supersteps of about `step_ms` each:
    the first vertex a worker thread computes in a superstep sleeps that
    long. Every vertex sends 1 along each out-edge every superstep, so its
    value ends as its in-degree; an aggregator sums the messages received,
    a second counts the vertices. For watching a job while it runs. */
#include <zpregel/zp_program.h>

#include <time.h>

typedef struct {
    int64_t steps, step_ms;
} s_pace_t;

static s_pace_t s_pace;
static _Thread_local int64_t s_slept = -1;

static void s_compute (zp_vertex_t *v)
{
    const s_pace_t *pace = zp_state (v);
    int64_t step = (int64_t) zp_superstep (v);
    if (s_slept != step) {
        s_slept = step;
        struct timespec t = {pace->step_ms / 1000, (pace->step_ms % 1000) * 1000000L};
        nanosleep (&t, NULL);
    }
    int64_t in = zp_message_count (v) ? zp_message_i64 (v, 0) : 0;
    if (step > 0)
        zp_set_i64 (v, in);
    zp_aggregate_u64 (v, 0, (uint64_t) in);
    zp_aggregate_u64 (v, 1, 1);
    if (step + 1 < pace->steps)
        zp_send_out_i64 (v, 1);
    else
        zp_vote_to_halt (v);
}

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    s_pace.steps = zp_param_i64 (params, "steps");
    s_pace.step_ms = zp_param_i64 (params, "step_ms");
    *state = &s_pace;
    return 0;
}

static uint32_t s_supersteps (const zp_params_t *params)
{
    int64_t steps = zp_param_i64 (params, "steps");
    return steps > 0 && steps < 1000000 ? (uint32_t) steps : 0;
}

static const zp_param_def_t s_params[] = {
    {"steps", ZP_I64, NULL, false, {.i64 = 20}, "supersteps to run"},
    {"step_ms", ZP_I64, NULL, false, {.i64 = 200}, "how long each superstep takes, at least"},
};

static const zp_aggregator_def_t s_aggregators[] = {
    {"messages_received", ZP_U64, ZP_COMBINE_SUM},
    {"vertices_computed", ZP_U64, ZP_COMBINE_SUM},
};

const zp_program_t zp_program = {
    .api_version = ZP_API_VERSION,
    .name = "paced",
    .description = "in-degree, slowly, for watching a job run",
    .value_type = ZP_I64,
    .message_type = ZP_I64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_PLACEMENT_FREE,
    .params = s_params,
    .n_params = 2,
    .aggregators = s_aggregators,
    .n_aggregators = 2,
    .setup = s_setup,
    .compute = s_compute,
    .supersteps = s_supersteps,
};

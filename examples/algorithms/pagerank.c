/*  PageRank with the exact LDBC Graphalytics semantics.

    PR_0(v) = 1/|V|; then exactly `iterations` synchronous iterations of
      PR_i(v) = (1-d)/|V| + d * sum_{u in N_in(v)} PR_{i-1}(u)/|N_out(u)|
                          + d/|V| * sum_{w sink} PR_{i-1}(w)
    where a sink has no out-edges. Superstep s sends PR_s(u)/|N_out(u)| along
    the out-edges (combined by sum at the sender) and adds the rank of every
    sink to an aggregator; superstep s+1 reads both. After `iterations`
    supersteps every vertex votes to halt.

    Written against the public API only, as a user program would be.
*/
#include "zpregel/zp_program.h"

#include <stdlib.h>
#include <stdio.h>

typedef struct {
    double damping;
    int64_t iterations;
} s_state_t;

enum { S_SINK_MASS = 0 };

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    double d = zp_param_f64 (params, "damping");
    int64_t it = zp_param_i64 (params, "iterations");
    if (!(d >= 0 && d <= 1)) {
        snprintf (err, errlen, "damping must be between 0 and 1, got %g", d);
        return -1;
    }
    if (it < 0 || it > 1000000) {
        snprintf (err, errlen, "iterations must be from 0 to 1000000, got %lld", (long long) it);
        return -1;
    }
    s_state_t *s = malloc (sizeof *s);
    if (!s) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    s->damping = d;
    s->iterations = it;
    *state = s;
    return 0;
}

static void s_teardown (void *state)
{
    free (state);
}

static void s_init (zp_vertex_t *v)
{
    zp_set_f64 (v, 1.0 / (double) zp_vertex_count (v));
}

static void s_compute (zp_vertex_t *v)
{
    const s_state_t *s = zp_state (v);
    uint32_t step = zp_superstep (v);
    double n = (double) zp_vertex_count (v);
    double rank = zp_get_f64 (v);
    if (step > 0) {
        double in = zp_message_count (v) ? zp_message_f64 (v, 0) : 0.0;
        double sinks = zp_aggregated_f64 (v, S_SINK_MASS);
        rank = (1.0 - s->damping) / n + s->damping * in + s->damping * sinks / n;
        zp_set_f64 (v, rank);
    }
    if ((int64_t) step >= s->iterations) {
        zp_vote_to_halt (v);
        return;
    }
    size_t degree = zp_out_degree (v);
    if (degree)
        zp_send_out_f64 (v, rank / (double) degree);
    else
        zp_aggregate_f64 (v, S_SINK_MASS, rank);
}

static const zp_param_def_t s_params[] = {
    {"damping", ZP_F64, "pr.damping-factor", false, {.f64 = 0.85}, "damping factor d"},
    {"iterations", ZP_I64, "pr.num-iterations", false, {.i64 = 10}, "number of iterations"},
};

static const zp_aggregator_def_t s_aggregators[] = {
    {"sink_mass", ZP_F64, ZP_COMBINE_SUM},
};

/* Superstep 0 and one a further iteration. */
static uint32_t s_supersteps (const zp_params_t *params)
{
    int64_t it = zp_param_i64 (params, "iterations");
    return it >= 0 && it < 1000000 ? (uint32_t) it + 1 : 0;
}

const zp_program_t zp_pagerank_program = {
    .api_version = ZP_API_VERSION,
    .name = "pr",
    .description = "PageRank (LDBC Graphalytics semantics)",
    .value_type = ZP_F64,
    .message_type = ZP_F64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_PLACEMENT_FREE | ZP_THREAD_SAFE,
    .params = s_params,
    .n_params = sizeof s_params / sizeof s_params[0],
    .aggregators = s_aggregators,
    .n_aggregators = sizeof s_aggregators / sizeof s_aggregators[0],
    .setup = s_setup,
    .teardown = s_teardown,
    .init = s_init,
    .compute = s_compute,
    .supersteps = s_supersteps,
};

/*  HITS: Kleinberg's hubs and authorities on a directed graph.

    Every vertex starts with hub = authority = 1. Each iteration:
    authority(v) = sum of hub(u) over in-neighbours u; then hub(v) = sum of
    authority(w) over out-neighbours w, with the new authorities; then each
    vector is divided by its sum (job.params.iterations iterations, 20 by
    default).

    An iteration is two supersteps: hubs flow along out-edges and become
    authorities, then authorities flow back along in-edges and become hubs.
    Each vector is divided by its sum (an aggregator) one superstep after it
    is computed; values sent before that are off by a common factor, which
    the next division removes. The vertex value is a struct (API version 2)
    written out as `id hub authority`.
*/
#include "zpregel/zp_program.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    double hub;
    double authority;
} s_vertex_t;

enum { S_AUTHORITY_SUM, S_HUB_SUM };

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    int64_t it = zp_param_i64 (params, "iterations");
    if (it < 1 || it > 1000000) {
        snprintf (err, errlen, "iterations must be from 1 to 1000000, got %lld", (long long) it);
        return -1;
    }
    int64_t *s = malloc (sizeof *s);
    if (!s) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    *s = it;
    *state = s;
    return 0;
}

static void s_teardown (void *state)
{
    free (state);
}

static double s_divide (double x, double sum)
{
    return sum != 0 ? x / sum : 0;
}

static void s_compute (zp_vertex_t *v)
{
    s_vertex_t *s = zp_value (v);
    int64_t iterations = *(const int64_t *) zp_state (v);
    int64_t step = zp_superstep (v);
    double in = zp_message_count (v) ? zp_message_f64 (v, 0) : 0;
    if (step == 0) {
        s->hub = s->authority = 1;
        zp_send_out_f64 (v, s->hub);
    } else if (step % 2 == 1) {
        if (step >= 3)
            s->hub = s_divide (s->hub, zp_aggregated_f64 (v, S_HUB_SUM));
        if (step == 2 * iterations + 1) {
            zp_vote_to_halt (v);
            return;
        }
        s->authority = in;
        zp_aggregate_f64 (v, S_AUTHORITY_SUM, s->authority);
        zp_send_in_f64 (v, s->authority);
    } else {
        s->authority = s_divide (s->authority, zp_aggregated_f64 (v, S_AUTHORITY_SUM));
        s->hub = in;
        zp_aggregate_f64 (v, S_HUB_SUM, s->hub);
        if (step < 2 * iterations)
            zp_send_out_f64 (v, s->hub);
    }
}

static int s_format (const void *value, char *buf, size_t len)
{
    const s_vertex_t *s = value;
    return snprintf (buf, len, "%.15e %.15e", s->hub, s->authority);
}

static const zp_param_def_t s_params[] = {
    {"iterations", ZP_I64, NULL, false, {.i64 = 20}, "number of iterations"},
};

static const zp_aggregator_def_t s_aggregators[] = {
    [S_AUTHORITY_SUM] = {"authority_sum", ZP_F64, ZP_COMBINE_SUM},
    [S_HUB_SUM] = {"hub_sum", ZP_F64, ZP_COMBINE_SUM},
};

/* Two supersteps an iteration (hubs, then authorities), and two more. */
static uint32_t s_supersteps (const zp_params_t *params)
{
    int64_t it = zp_param_i64 (params, "iterations");
    return it >= 1 && it < 1000000 ? 2 * (uint32_t) it + 2 : 0;
}

const zp_program_t zp_hits_program = {
    .api_version = ZP_API_VERSION,
    .name = "hits",
    .description = "Kleinberg's hubs and authorities, normalized by sum (output: id hub authority)",
    .value_type = ZP_STRUCT,
    .message_type = ZP_F64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_NEEDS_IN_EDGES | ZP_PLACEMENT_FREE | ZP_THREAD_SAFE,
    .params = s_params,
    .n_params = sizeof s_params / sizeof s_params[0],
    .aggregators = s_aggregators,
    .n_aggregators = sizeof s_aggregators / sizeof s_aggregators[0],
    .setup = s_setup,
    .teardown = s_teardown,
    .compute = s_compute,
    .value_size = sizeof (s_vertex_t),
    .format = s_format,
    .supersteps = s_supersteps,
};

/*  k-core: the coreness of every vertex, as networkx's core_number gives it
    (the largest k such that the vertex is in a subgraph where every vertex
    has degree at least k). On a directed graph, as networkx does, a
    vertex's degree is its in-degree plus its out-degree.

    Peeling, run by master compute. The master keeps the level k (a
    persistent aggregator that only it sets), starting at 0. In each
    superstep every vertex still in the graph takes the removals its
    neighbours announced (one summed message), and leaves the graph with
    coreness k if its degree has fallen to k or below, telling its
    neighbours. When a superstep removes nobody, every remaining vertex has
    degree above k: the master raises k to the smallest remaining degree.
    When nobody remains, it ends the job.

    The vertex value is a struct of three numbers (API version 2), written
    out as `id coreness`.
*/
#include "zpregel/zp_program.h"

#include <inttypes.h>
#include <stdio.h>

typedef struct {
    int64_t degree;   /* neighbours still in the graph */
    int64_t coreness; /* set when the vertex leaves */
    int64_t present;  /* 1 while in the graph */
} s_vertex_t;

enum { S_LEVEL, S_REMOVED, S_PRESENT, S_MIN_DEGREE };

static void s_tell_neighbours (zp_vertex_t *v)
{
    zp_send_out_i64 (v, 1);
    if (zp_directed (v))
        zp_send_in_i64 (v, 1);
}

static void s_compute (zp_vertex_t *v)
{
    s_vertex_t *s = zp_value (v);
    if (zp_superstep (v) == 0) {
        s->degree = (int64_t) zp_out_degree (v);
        if (zp_directed (v))
            s->degree += (int64_t) zp_in_degree (v);
        s->present = 1;
    } else if (zp_message_count (v))
        s->degree -= zp_message_i64 (v, 0);
    if (!s->present) {
        zp_vote_to_halt (v);
        return;
    }
    int64_t k = zp_aggregated_i64 (v, S_LEVEL);
    if (s->degree <= k) {
        s->coreness = k;
        s->present = 0;
        s_tell_neighbours (v);
        zp_aggregate_i64 (v, S_REMOVED, 1);
        zp_vote_to_halt (v);
        return;
    }
    zp_aggregate_i64 (v, S_PRESENT, 1);
    zp_aggregate_i64 (v, S_MIN_DEGREE, s->degree);
}

static void s_master (zp_master_ctx_t *m)
{
    if (zp_master_superstep (m) == 0) {
        zp_master_set_i64 (m, S_LEVEL, 0);
        return;
    }
    if (zp_master_aggregated_i64 (m, S_PRESENT) == 0)
        zp_master_halt (m); /* every vertex has its coreness */
    else if (zp_master_aggregated_i64 (m, S_REMOVED) == 0)
        zp_master_set_i64 (m, S_LEVEL, zp_master_aggregated_i64 (m, S_MIN_DEGREE));
}

static int s_format (const void *value, char *buf, size_t len)
{
    const s_vertex_t *s = value;
    return snprintf (buf, len, "%" PRId64, s->coreness);
}

static const zp_aggregator_def_t s_aggregators[] = {
    [S_LEVEL] = {"level", ZP_I64, ZP_COMBINE_MAX},
    [S_REMOVED] = {"removed", ZP_I64, ZP_COMBINE_SUM},
    [S_PRESENT] = {"present", ZP_I64, ZP_COMBINE_SUM},
    [S_MIN_DEGREE] = {"min_degree", ZP_I64, ZP_COMBINE_MIN},
};

const zp_program_t zp_kcore_program = {
    .api_version = ZP_API_VERSION,
    .name = "kcore",
    .description = "coreness of every vertex (as networkx core_number), by peeling",
    .value_type = ZP_STRUCT,
    .message_type = ZP_I64,
    .combiner = ZP_COMBINE_SUM,
    .flags = ZP_NEEDS_IN_EDGES | ZP_PLACEMENT_FREE | ZP_THREAD_SAFE,
    .aggregators = s_aggregators,
    .n_aggregators = sizeof s_aggregators / sizeof s_aggregators[0],
    .compute = s_compute,
    .value_size = sizeof (s_vertex_t),
    .format = s_format,
    .master = s_master,
    .persistent_aggregators = 1u << S_LEVEL,
};

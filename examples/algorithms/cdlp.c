/*  CDLP (LDBC Graphalytics): community detection by synchronous label
    propagation. Every label starts as the vertex's id; in each of exactly
    `iterations` iterations a vertex takes the most frequent label among its
    in- and out-neighbours (a neighbour that is both counts twice), ties going
    to the smallest label, and keeps its label if it has no neighbours.

    Labels cannot be combined (the histogram needs every one), so messages
    take the listed path. A vertex sorts what it received and scans the runs;
    the sort buffer lives in the worker's state and grows as needed.
*/
#include "zpregel/zp_program.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int64_t iterations;
    uint64_t *labels; /* scratch for one vertex's messages */
    size_t capacity;
} s_state_t;

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    int64_t it = zp_param_i64 (params, "iterations");
    if (it < 0 || it > 1000000) {
        snprintf (err, errlen, "iterations must be from 0 to 1000000, got %lld", (long long) it);
        return -1;
    }
    s_state_t *s = calloc (1, sizeof *s);
    if (!s)
        return -1;
    s->iterations = it;
    *state = s;
    return 0;
}

static void s_teardown (void *state)
{
    s_state_t *s = state;
    free (s->labels);
    free (s);
}

static int s_cmp (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static void s_send (zp_vertex_t *v, uint64_t label)
{
    zp_send_out_u64 (v, label);
    if (zp_directed (v))
        zp_send_in_u64 (v, label);
}

static void s_compute (zp_vertex_t *v)
{
    s_state_t *s = zp_state (v);
    uint32_t step = zp_superstep (v);
    if (step == 0)
        zp_set_u64 (v, zp_id (v));
    size_t n = zp_message_count (v);
    if (step > 0 && n > 0) {
        if (n > s->capacity) {
            uint64_t *grown = realloc (s->labels, n * sizeof *grown);
            if (!grown)
                return; /* keeps the old label; cannot happen short of memory exhaustion */
            s->labels = grown;
            s->capacity = n;
        }
        for (size_t i = 0; i < n; i++)
            s->labels[i] = zp_message_u64 (v, i);
        qsort (s->labels, n, sizeof *s->labels, s_cmp);
        uint64_t best = s->labels[0];
        size_t best_run = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && s->labels[j] == s->labels[i])
                j++;
            if (j - i > best_run) { /* strictly more: ties keep the smaller label */
                best_run = j - i;
                best = s->labels[i];
            }
            i = j;
        }
        zp_set_u64 (v, best);
    }
    if ((int64_t) step < s->iterations)
        s_send (v, zp_get_u64 (v));
    else
        zp_vote_to_halt (v);
}

static const zp_param_def_t s_params[] = {
    {"iterations", ZP_I64, "cdlp.max-iterations", false, {.i64 = 10}, "number of iterations"},
};

const zp_program_t zp_cdlp_program = {
    .api_version = ZP_API_VERSION,
    .name = "cdlp",
    .description = "community detection by label propagation (LDBC Graphalytics)",
    .value_type = ZP_U64, /* labels are ids: any uint64 */
    .message_type = ZP_U64,
    .combiner = ZP_COMBINE_NONE,
    .flags = ZP_NEEDS_IN_EDGES | ZP_PLACEMENT_FREE,
    .params = s_params,
    .n_params = 1,
    .setup = s_setup,
    .teardown = s_teardown,
    .compute = s_compute,
};

/*  CDLP (LDBC Graphalytics): community detection by synchronous label
    propagation. Every label starts as the vertex's id; in each of exactly
    `iterations` iterations a vertex takes the most frequent label among its
    in- and out-neighbours (a neighbour that is both counts twice), ties going
    to the smallest label, and keeps its label if it has no neighbours.

    Labels cannot be combined (the histogram needs every one), so messages
    take the listed path. A vertex counts what it received in a hash table
    (open addressing over a power of two at least twice the count, in the
    worker's state, grown as needed and cleared slot by slot), which costs
    a probe a label where sorting them cost log n comparisons each: at
    R-MAT scale 20 a vertex gets 31 labels on average, and a hub hundreds
    of thousands.
*/
#include "zpregel/zp_program.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int64_t iterations;
    /* One vertex's histogram: label[i] seen count[i] times (0: free);
       used[] lists the slots taken, to find the winner and clear them. */
    uint64_t *label;
    uint32_t *count, *used;
    size_t capacity; /* a power of two */
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
    free (s->label);
    free (s->count);
    free (s->used);
    free (s);
}

/* Makes room for n labels: 0, or -1 if memory ran out. */
static int s_reserve (s_state_t *s, size_t n)
{
    size_t capacity = 16;
    while (capacity < 2 * n)
        capacity *= 2;
    if (capacity <= s->capacity)
        return 0;
    free (s->label);
    free (s->count);
    free (s->used);
    s->label = malloc (capacity * sizeof *s->label);
    s->count = calloc (capacity, sizeof *s->count);
    s->used = malloc (capacity * sizeof *s->used);
    s->capacity = s->label && s->count && s->used ? capacity : 0;
    return s->capacity ? 0 : -1;
}

/* The most frequent of the n labels received, the smallest on a tie. */
static uint64_t s_most_frequent (s_state_t *s, const zp_vertex_t *v, size_t n)
{
    size_t mask = s->capacity - 1, n_used = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t label = zp_message_u64 (v, i);
        size_t at = (size_t) ((label * 0x9E3779B97F4A7C15ull) >> 32) & mask;
        while (s->count[at] && s->label[at] != label)
            at = (at + 1) & mask;
        if (!s->count[at]) {
            s->label[at] = label;
            s->used[n_used++] = (uint32_t) at;
        }
        s->count[at]++;
    }
    uint64_t best = UINT64_MAX;
    uint32_t most = 0;
    for (size_t i = 0; i < n_used; i++) {
        uint32_t at = s->used[i];
        if (s->count[at] > most || (s->count[at] == most && s->label[at] < best)) {
            most = s->count[at];
            best = s->label[at];
        }
        s->count[at] = 0;
    }
    return best;
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
        if (s_reserve (s, n) != 0)
            return; /* keeps the old label; cannot happen short of memory exhaustion */
        uint64_t best = s_most_frequent (s, v, n);
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

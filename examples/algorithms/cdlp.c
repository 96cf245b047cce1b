/*  CDLP (LDBC Graphalytics): community detection by synchronous label
    propagation. Every label starts as the vertex's id; in each of exactly
    `iterations` iterations a vertex takes the most frequent label among its
    in- and out-neighbours (a neighbour that is both counts twice), ties going
    to the smallest label, and keeps its label if it has no neighbours.

    The labels are read where they are (ZP_READS_NEIGHBOURS): a vertex
    reads its neighbours' labels of the previous superstep in place, and
    no message is sent; the engine refreshes the labels of other workers'
    vertices with the ones that changed, once per worker that reads them.
    (Sent as messages, every label went to every neighbour in every
    iteration: 32M messages a superstep at R-MAT scale 20.) A vertex
    counts the labels in a hash table (open addressing over a power of two
    at least twice the count, in its thread's zp_scratch, grown as needed
    and cleared slot by slot), which costs a probe a label where sorting
    them cost log n comparisons each. Nothing else is shared, so it runs
    on every thread of a worker (ZP_THREAD_SAFE).
*/
#include "zpregel/zp_program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A thread's histogram, in its zp_scratch: `capacity` slots (a power of
   two), label[i] seen count[i] times (0: free); used[] lists the slots
   taken, to find the winner and clear them. */
typedef struct {
    size_t capacity;
    uint64_t *label;
    uint32_t *count, *used;
} s_table_t;

static int s_setup (const zp_params_t *params, void **state, char *err, size_t errlen)
{
    int64_t it = zp_param_i64 (params, "iterations");
    if (it < 0 || it > 1000000) {
        snprintf (err, errlen, "iterations must be from 0 to 1000000, got %lld", (long long) it);
        return -1;
    }
    int64_t *iterations = malloc (sizeof *iterations);
    if (!iterations)
        return -1;
    *iterations = it;
    *state = iterations;
    return 0;
}

/* The thread's table, with room for n labels; NULL if memory ran out.
   Its slots are free between vertices; a table that grows is laid out
   again over zeroed memory. */
static s_table_t *s_table (zp_vertex_t *v, size_t n)
{
    const size_t head = (sizeof (s_table_t) + 15) / 16 * 16;
    s_table_t *t = zp_scratch (v, head);
    size_t capacity = 16;
    while (capacity < 2 * n)
        capacity *= 2;
    if (t && t->capacity > capacity)
        capacity = t->capacity;
    uint8_t *m = t ? zp_scratch (v, head + capacity * 16) : NULL;
    if (!m)
        return NULL;
    t = (s_table_t *) m;
    if (capacity > t->capacity) {
        memset (m + head, 0, capacity * 16);
        t->capacity = capacity;
    }
    /* Where the parts are: the buffer may have moved since the last call. */
    t->label = (uint64_t *) (m + head);
    t->count = (uint32_t *) (m + head + capacity * 8);
    t->used = (uint32_t *) (m + head + capacity * 12);
    return t;
}

/* Counts one label. */
static inline void s_count (s_table_t *s, uint64_t label, size_t mask, size_t *n_used)
{
    size_t at = (size_t) ((label * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (s->count[at] && s->label[at] != label)
        at = (at + 1) & mask;
    if (!s->count[at]) {
        s->label[at] = label;
        s->used[(*n_used)++] = (uint32_t) at;
    }
    s->count[at]++;
}

/* The most frequent of the labels of v's out-neighbours and (directed
   graphs) in-neighbours, the smallest on a tie. */
static uint64_t s_most_frequent (s_table_t *s, const zp_vertex_t *v, size_t out, size_t in)
{
    size_t mask = s->capacity - 1, n_used = 0;
    for (size_t i = 0; i < out; i++)
        s_count (s, zp_out_value_u64 (v, i), mask, &n_used);
    for (size_t i = 0; i < in; i++)
        s_count (s, zp_in_value_u64 (v, i), mask, &n_used);
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

/* The same for a vertex of few neighbours (most of a power-law graph's):
   (label, count) pairs in an array, searched in order, without a hash or
   a table to clear. n at most S_FEW. */
#define S_FEW 16
static uint64_t s_most_frequent_few (const zp_vertex_t *v, size_t out, size_t in)
{
    uint64_t label[S_FEW];
    uint32_t count[S_FEW], k = 0;
    for (size_t i = 0; i < out + in; i++) {
        uint64_t x = i < out ? zp_out_value_u64 (v, i) : zp_in_value_u64 (v, i - out);
        uint32_t j = 0;
        while (j < k && label[j] != x)
            j++;
        if (j == k) {
            label[k] = x;
            count[k++] = 0;
        }
        count[j]++;
    }
    uint64_t best = UINT64_MAX;
    uint32_t most = 0;
    for (uint32_t j = 0; j < k; j++)
        if (count[j] > most || (count[j] == most && label[j] < best)) {
            most = count[j];
            best = label[j];
        }
    return best;
}

static void s_compute (zp_vertex_t *v)
{
    const int64_t *iterations = zp_state (v);
    uint32_t step = zp_superstep (v);
    if (step == 0)
        zp_set_u64 (v, zp_id (v));
    else {
        /* An undirected graph has each edge both ways: its out-edges are all. */
        size_t out = zp_out_degree (v), in = zp_directed (v) ? zp_in_degree (v) : 0;
        if (out + in > 0 && out + in <= S_FEW)
            zp_set_u64 (v, s_most_frequent_few (v, out, in));
        else if (out + in > 0) {
            s_table_t *t = s_table (v, out + in);
            if (!t)
                return; /* out of memory: zp_scratch has failed the job, saying so */
            zp_set_u64 (v, s_most_frequent (t, v, out, in));
        }
    }
    if ((int64_t) step >= *iterations)
        zp_vote_to_halt (v);
}

static const zp_param_def_t s_params[] = {
    {"iterations", ZP_I64, "cdlp.max-iterations", false, {.i64 = 10}, "number of iterations"},
};

/* Superstep 0 and one a further iteration. */
static uint32_t s_supersteps (const zp_params_t *params)
{
    int64_t it = zp_param_i64 (params, "iterations");
    return it >= 0 && it < 1000000 ? (uint32_t) it + 1 : 0;
}

const zp_program_t zp_cdlp_program = {
    .api_version = ZP_API_VERSION,
    .name = "cdlp",
    .description = "community detection by label propagation (LDBC Graphalytics)",
    .value_type = ZP_U64, /* labels are ids: any uint64 */
    .message_type = ZP_U64,
    .combiner = ZP_COMBINE_NONE,
    .flags = ZP_READS_NEIGHBOURS | ZP_PLACEMENT_FREE | ZP_THREAD_SAFE,
    .params = s_params,
    .n_params = 1,
    .setup = s_setup,
    .teardown = free,
    .compute = s_compute,
    .supersteps = s_supersteps,
};

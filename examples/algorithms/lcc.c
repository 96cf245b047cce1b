/*  LCC (LDBC Graphalytics): the local clustering coefficient. N(v) is the set
    of in- and out-neighbours of v (direction ignored, each counted once),
    d = |N(v)|; LCC(v) = t / (d (d - 1)) where t counts the ordered pairs
    (u, w) of N(v) with an arc u -> w; 0 when d <= 1.

    t = sum over u in N(v) of |N(v) ∩ N_out(u)|. So in superstep 0 every
    vertex u sends its sorted out-neighbour list to each of its neighbours
    (variable-size messages), and in superstep 1 every vertex intersects its
    own neighbour set with each list it received. The sorted sets live in
    the thread's zp_scratch, so it runs on every thread of a worker.
*/
#include "zpregel/zp_program.h"

#include <stdlib.h>
#include <string.h>

static int s_cmp (const void *a, const void *b)
{
    zp_handle_t x = *(const zp_handle_t *) a, y = *(const zp_handle_t *) b;
    return x < y ? -1 : x > y;
}

static size_t s_sort_unique (zp_handle_t *h, size_t n)
{
    if (n < 2)
        return n;
    qsort (h, n, sizeof *h, s_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || h[i] != h[k - 1])
            h[k++] = h[i];
    return k;
}

/* Fills set with N(v) and out with N_out(v), both sorted, in the
   thread's scratch; returns |N(v)| and sets *n_out. -1 if memory ran out. */
static long s_neighbours (zp_vertex_t *v, zp_handle_t **set_p, zp_handle_t **out_p, size_t *n_out)
{
    size_t out = zp_out_degree (v), in = zp_in_degree (v);
    zp_handle_t *set = zp_scratch (v, 2 * (out + in) * sizeof *set + 1), *o = set + out + in;
    if (!set)
        return -1;
    for (size_t i = 0; i < out; i++)
        set[i] = o[i] = zp_out_target (v, i);
    for (size_t i = 0; i < in; i++)
        set[out + i] = zp_in_source (v, i);
    *set_p = set;
    *out_p = o;
    *n_out = s_sort_unique (o, out);
    return (long) s_sort_unique (set, out + in);
}

/* |a ∩ b| for sorted a and b (b as little-endian handles in a message). */
static uint64_t s_common (const zp_handle_t *a, size_t na, const uint8_t *b, size_t nb)
{
    uint64_t common = 0;
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        zp_handle_t y;
        memcpy (&y, b + 4 * j, 4);
        if (a[i] < y)
            i++;
        else if (a[i] > y)
            j++;
        else
            common++, i++, j++;
    }
    return common;
}

static void s_compute (zp_vertex_t *v)
{
    zp_handle_t *set, *out;
    size_t n_out;
    long d = s_neighbours (v, &set, &out, &n_out);
    if (d < 0) {
        zp_vote_to_halt (v);
        return;
    }
    if (zp_superstep (v) == 0) {
        /* Our out-list goes to every neighbour (the message is the sorted handles). */
        for (long i = 0; i < d; i++)
            zp_send_bytes (v, set[i], out, n_out * sizeof (zp_handle_t));
        zp_set_f64 (v, 0.0);
        if (d > 1)
            return; /* stay awake to count in the next superstep */
    } else if (d > 1) {
        uint64_t t = 0;
        for (size_t i = 0; i < zp_message_count (v); i++) {
            size_t len;
            const uint8_t *list = zp_message_bytes (v, i, &len);
            t += s_common (set, (size_t) d, list, len / sizeof (zp_handle_t));
        }
        zp_set_f64 (v, (double) t / ((double) d * (double) (d - 1)));
    }
    zp_vote_to_halt (v);
}

const zp_program_t zp_lcc_program = {
    .api_version = ZP_API_VERSION,
    .name = "lcc",
    .description = "local clustering coefficient (LDBC Graphalytics)",
    .value_type = ZP_F64,
    .message_type = ZP_BYTES,
    .combiner = ZP_COMBINE_NONE,
    /* not placement-free: its messages are lists of handles */
    .flags = ZP_NEEDS_IN_EDGES | ZP_THREAD_SAFE,
    .compute = s_compute,
};

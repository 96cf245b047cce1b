/*  LCC (LDBC Graphalytics): the local clustering coefficient. N(v) is the set
    of in- and out-neighbours of v (direction ignored, each counted once),
    d = |N(v)|; LCC(v) = t / (d (d - 1)) where t counts the ordered pairs
    (u, w) of N(v) with an arc u -> w; 0 when d <= 1.

    Each pair {u, w} of N(v) joined by an arc closes a triangle {v, u, w},
    and adds to t(v) the arcs between u and w (1, or 2 both ways). So the
    program finds every triangle once, at its lowest vertex by rank
    (degree, then handle), and credits its three vertices, as triangle
    counting does with degree ordering (Schank and Wagner; libgrape-lite's
    LCC): a vertex sends its list of higher-ranked neighbours only to its
    lower-ranked ones, so no list goes from a hub to its many neighbours
    (at most sqrt(2m) entries a list), where sending every out-list to
    every neighbour moved 2.8 GB at R-MAT scale 16 and could not run at 18.

      superstep 0  v's value is d (its neighbours read it in place,
                   ZP_READS_NEIGHBOURS: no message);
      superstep 1  v ranks its neighbours by their degrees, and
                   sends N+(v), its higher-ranked neighbours (with the
                   directions of their arcs), to each lower-ranked one;
      superstep 2  v learns N+(v) from who wrote to it; for each list
                   from b and each c in it and in N+(v), triangle
                   {v, b, c}: t(v) gets the arcs b-c, b gets v-c, c gets
                   v-b, summed per vertex and sent as one credit each;
      superstep 3  t(v) = its share + the credits; the coefficient.

    A list entry takes 4 bytes (8 on graphs of more than 2^30 vertices).
    Every vertex's t is an exact count, so the output does not depend on
    the placement, the workers or the threads. The sorted neighbour lists
    live in the thread's zp_scratch, so it runs on every thread, after a
    mark for each vertex of the graph (4 bytes a vertex, on each thread:
    4 MB at R-MAT scale 20) that finds a list's entries among N+(v).
*/
#include "zpregel/zp_program.h"

#include <stdlib.h>
#include <string.h>

/* A neighbour as one sortable word: handle << 2 | the arcs that join it
   to the vertex (bit 0: vertex -> it, bit 1: it -> vertex). */
#define S_HANDLE(e) ((zp_handle_t) ((e) >> 2))
#define S_ARCS(e)   ((unsigned) ((e) &3))
/* How many arcs two bits of arcs are (without a popcount call: a build
   for any x86-64 has no popcount instruction). */
#define S_COUNT(arcs) (((arcs) &1u) + ((arcs) >> 1 & 1u))

/* A list of superstep 1: its sender, then `count` entries (handle, arcs):
   4 bytes each, handle << 2 | arcs, when the graph has at most 2^30
   vertices (every handle fits), else 8 (the handle, then the arcs). */
typedef struct {
    uint32_t from, count;
} s_list_t;

static size_t s_entry_size (const zp_vertex_t *v)
{
    return zp_vertex_count (v) <= (1u << 30) ? 4 : 8;
}

static void s_put_entry (uint8_t *at, size_t size, zp_handle_t handle, unsigned arcs)
{
    uint32_t word[2] = {handle << 2 | arcs, 0};
    if (size == 8) {
        word[0] = handle;
        word[1] = arcs;
    }
    memcpy (at, word, size);
}

static void s_get_entry (const uint8_t *at, size_t size, zp_handle_t *handle, unsigned *arcs)
{
    uint32_t word[2] = {0, 0};
    memcpy (word, at, size);
    *handle = size == 8 ? word[0] : word[0] >> 2;
    *arcs = size == 8 ? word[1] : word[0] & 3;
}

/* Sorts a[0..n) ascending: insertion sort below 32 words, else quicksort
   on the median of three (the smaller side recursed into, so the stack
   stays below log2(n) frames), with no comparison called through a
   pointer (qsort's took a fifth of LCC's time). */
static void s_sort (uint64_t *a, size_t n)
{
    while (n > 32) {
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint64_t t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        /* a[0..j] <= pivot <= a[j+1..n) */
        size_t left = j + 1;
        if (left < n - left) {
            s_sort (a, left);
            a += left;
            n -= left;
        } else {
            s_sort (a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        for (; j && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* N(v) into e (room for its out- plus in-degree), ascending by handle,
   one entry a neighbour; returns d. */
static size_t s_neighbours (zp_vertex_t *v, uint64_t *e)
{
    size_t out = zp_out_degree (v), in = zp_in_degree (v), n = 0, d = 0;
    for (size_t i = 0; i < out; i++)
        e[n++] = (uint64_t) zp_out_target (v, i) << 2 | 1;
    for (size_t i = 0; i < in; i++)
        e[n++] = (uint64_t) zp_in_source (v, i) << 2 | 2;
    s_sort (e, n);
    for (size_t i = 0; i < n; i++)
        if (d && S_HANDLE (e[d - 1]) == S_HANDLE (e[i]))
            e[d - 1] |= S_ARCS (e[i]);
        else
            e[d++] = e[i];
    return d;
}

/* Scratch for `words` 64-bit words, or NULL if memory ran out. They
   follow, at the front of the thread's scratch, a mark for each handle of
   the graph (zero, as zp_scratch leaves bytes no call asked for before,
   and put back to zero after each use), given in *marks when asked for:
   both from one call, since a call for more may move the scratch. */
static uint64_t *s_words (zp_vertex_t *v, size_t words, uint32_t **marks)
{
    size_t skip = (zp_vertex_count (v) * sizeof (uint32_t) + 15) / 16 * 16;
    uint8_t *scratch = zp_scratch (v, skip + (words ? words : 1) * sizeof (uint64_t));
    if (marks)
        *marks = (uint32_t *) scratch;
    return scratch ? (uint64_t *) (scratch + skip) : NULL;
}

/* Whether (da, a) ranks above (db, b). */
static inline bool s_above (uint32_t da, zp_handle_t a, uint32_t db, zp_handle_t b)
{
    return da > db || (da == db && a > b);
}

/* Superstep 1: N+(v) to each lower-ranked neighbour. */
static int s_send_higher (zp_vertex_t *v)
{
    size_t out = zp_out_degree (v), in = zp_in_degree (v), room = out + in, n = room;
    /* e: N(v); deg: (handle << 32 | degree) of each edge's neighbour, read
       in place (a neighbour both ways is there twice); list: the message,
       header and pairs. */
    uint64_t *e = s_words (v, 3 * room + 1, NULL);
    if (!e)
        return -1;
    uint64_t *deg = e + room, *list = deg + n;
    size_t d = s_neighbours (v, e);
    for (size_t i = 0; i < out; i++)
        deg[i] = (uint64_t) zp_out_target (v, i) << 32 | (uint32_t) zp_out_value_f64 (v, i);
    for (size_t i = 0; i < in; i++)
        deg[out + i] = (uint64_t) zp_in_source (v, i) << 32 | (uint32_t) zp_in_value_f64 (v, i);
    s_sort (deg, n);
    zp_handle_t self = zp_handle (v);
    uint8_t *entries = (uint8_t *) (list + 1);
    uint32_t count = 0;
    size_t size = s_entry_size (v);
    /* Both sorted by handle. */
    for (size_t i = 0, j = 0; i < d && j < n; i++) {
        while (j < n && (deg[j] >> 32) < S_HANDLE (e[i]))
            j++;
        if (j < n && (deg[j] >> 32) == S_HANDLE (e[i])) {
            uint32_t du = (uint32_t) deg[j];
            /* Mark the lower-ranked in e (bit 63) for the sends below. */
            if (s_above (du, S_HANDLE (e[i]), (uint32_t) d, self)) {
                s_put_entry (entries + size * count, size, S_HANDLE (e[i]), S_ARCS (e[i]));
                count++;
            } else
                e[i] |= 1ull << 63;
        }
    }
    s_list_t head = {self, count};
    memcpy (list, &head, sizeof head);
    for (size_t i = 0; i < d; i++)
        if (e[i] >> 63)
            zp_send_bytes (v, S_HANDLE (e[i] & ~(1ull << 63)), list, 8 + size * count);
    return 0;
}

/* Superstep 2: the triangles v is the lowest vertex of; returns v's share
   of t, sends the others theirs. Each c of each list from b is looked up
   in `at`, where N+(v)'s handles are marked with their place: walking
   N+(v) beside each list cost |N+(v)| a list, which hubs paid squared. */
static uint64_t s_count (zp_vertex_t *v)
{
    size_t room = zp_out_degree (v) + zp_in_degree (v), n = zp_message_count (v);
    /* at: by handle, 1 + the place in up of each of N+(v), else 0; e: N(v);
       up: N+(v) as (handle << 32 | message index), sorted; arcs: v's arcs
       to each of up; credit: what each of up is owed. */
    uint32_t *at;
    uint64_t *e = s_words (v, room + 3 * n + 1, &at);
    if (!at || !e || n == 0)
        return 0;
    uint64_t *up = e + room, *arcs = up + n, *credit = arcs + n;
    size_t d = s_neighbours (v, e);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const uint8_t *m = zp_message_bytes (v, i, &len);
        s_list_t head = {0, 0};
        if (len >= sizeof head)
            memcpy (&head, m, sizeof head);
        up[i] = (uint64_t) head.from << 32 | i;
        credit[i] = 0;
    }
    s_sort (up, n);
    for (size_t i = 0, j = 0; i < n; i++) {
        while (j < d && S_HANDLE (e[j]) < (up[i] >> 32))
            j++;
        arcs[i] = j < d && S_HANDLE (e[j]) == (up[i] >> 32) ? S_ARCS (e[j]) : 0;
        at[up[i] >> 32] = (uint32_t) i + 1;
    }
    uint64_t mine = 0;
    size_t size = s_entry_size (v);
    uint64_t count = zp_vertex_count (v);
    for (size_t b = 0; b < n; b++) {
        size_t len;
        const uint8_t *m = zp_message_bytes (v, (size_t) (uint32_t) up[b], &len);
        s_list_t head = {0, 0};
        memcpy (&head, m, sizeof head);
        if (len != 8 + size * head.count)
            continue; /* not a list of superstep 1 */
        /* c in both N+(b) (the entries) and N+(v) (marked). */
        for (size_t k = 0; k < head.count; k++) {
            zp_handle_t h;
            unsigned arcs_bc;
            s_get_entry (m + 8 + size * k, size, &h, &arcs_bc);
            uint32_t c = h < count ? at[h] : 0;
            if (!c--)
                continue;
            mine += S_COUNT (arcs_bc);
            credit[b] += S_COUNT ((unsigned) arcs[c]);
            credit[c] += S_COUNT ((unsigned) arcs[b]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        at[up[i] >> 32] = 0;
        if (credit[i])
            zp_send_bytes (v, (zp_handle_t) (up[i] >> 32), &credit[i], sizeof credit[i]);
    }
    return mine;
}

static void s_compute (zp_vertex_t *v)
{
    uint32_t step = zp_superstep (v);
    if (step == 0) {
        uint64_t *e = s_words (v, zp_out_degree (v) + zp_in_degree (v), NULL);
        size_t d = e ? s_neighbours (v, e) : 0;
        zp_set_f64 (v, (double) d); /* for the neighbours to rank it by */
        if (d == 0)
            zp_vote_to_halt (v);
    } else if (step == 1) {
        s_send_higher (v);
    } else if (step == 2) {
        zp_set_f64 (v, (double) s_count (v)); /* exact below 2^53 */
    } else {
        uint64_t t = (uint64_t) zp_get_f64 (v);
        for (size_t i = 0; i < zp_message_count (v); i++) {
            size_t len;
            const void *m = zp_message_bytes (v, i, &len);
            uint64_t credit = 0;
            if (len == sizeof credit)
                memcpy (&credit, m, sizeof credit);
            t += credit;
        }
        uint64_t *e = s_words (v, zp_out_degree (v) + zp_in_degree (v), NULL);
        size_t d = e ? s_neighbours (v, e) : 0;
        zp_set_f64 (v, d > 1 ? (double) t / ((double) d * (double) (d - 1)) : 0.0);
        zp_vote_to_halt (v);
    }
}

/* Degrees, lists, triangles, coefficients: four supersteps. */
static uint32_t s_supersteps (const zp_params_t *params)
{
    (void) params;
    return 4;
}

const zp_program_t zp_lcc_program = {
    .api_version = ZP_API_VERSION,
    .name = "lcc",
    .description = "local clustering coefficient (LDBC Graphalytics)",
    .value_type = ZP_F64,
    .message_type = ZP_BYTES,
    .combiner = ZP_COMBINE_NONE,
    /* not placement-free: its messages hold handles */
    .flags = ZP_NEEDS_IN_EDGES | ZP_READS_NEIGHBOURS | ZP_THREAD_SAFE,
    .compute = s_compute,
    .supersteps = s_supersteps,
};

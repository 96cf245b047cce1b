/*  The pull index (lib/engine/zp_pull.c): a partition's out-edges turned around,
    built on the worker's compute threads. Answers of pulled supersteps
    are checked against pushed ones in test_algorithms.c; here, the index
    itself against a transposition written the plain way, built on 1 to 8
    threads, its slices, and the order of the slots it holds. */
#include "zp_test.h"
#include "zp_pool.h"
#include "zp_pull.h"

#include <stdint.h>

/* A partition's out-edges, skewed like a power-law graph: a few handles
   take most of the edges, some vertices have none, and a vertex may have
   an edge to the same handle more than once. */
typedef struct {
    uint32_t n;
    uint64_t n_targets;
    uint64_t *offset;
    uint32_t *target;
} s_edges_t;

static uint64_t s_next (uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static s_edges_t s_edges (uint32_t n, uint64_t n_targets, uint32_t most_degree, uint64_t seed)
{
    s_edges_t g = {n, n_targets, calloc (n + 1, sizeof (uint64_t)), NULL};
    cr_assert_not_null (g.offset);
    for (uint32_t u = 0; u < n; u++) {
        uint64_t r = s_next (&seed);
        uint32_t degree = r % 4 == 0 ? 0 : (uint32_t) (r >> 8) % (most_degree + 1);
        g.offset[u + 1] = g.offset[u] + degree;
    }
    g.target = malloc ((g.offset[n] ? g.offset[n] : 1) * sizeof (uint32_t));
    cr_assert_not_null (g.target);
    for (uint64_t e = 0; e < g.offset[n]; e++) {
        uint64_t r = s_next (&seed);
        /* Half the edges to the first 1/64 of the handles. */
        uint64_t span = r % 2 ? n_targets / 64 + 1 : n_targets;
        g.target[e] = (uint32_t) ((r >> 1) % span);
    }
    return g;
}

static void s_edges_free (s_edges_t *g)
{
    free (g->offset);
    free (g->target);
}

/* The index, built on `threads` threads (a pool of them, or none for 1),
   of the vertices' slots (NULL: the vertices). */
static zp_pull_t s_build_slots (const s_edges_t *g, const uint32_t *slot, uint32_t threads)
{
    zp_pool_t *pool = threads > 1 ? zp_pool_new (threads, NULL, NULL, NULL) : NULL;
    cr_assert (threads == 1 || pool, "no pool of %u threads", threads);
    zp_pull_t x;
    cr_assert_eq (zp_pull_build (&x, g->n, g->offset, g->target, slot, g->n_targets, pool, threads,
                                 NULL, NULL),
                  0);
    zp_pool_destroy (&pool);
    return x;
}
static zp_pull_t s_build (const s_edges_t *g, uint32_t threads)
{
    return s_build_slots (g, NULL, threads);
}

/* Checks x against the transposition done the plain way: for each handle,
   every local vertex with an edge to it, as often as it has, ascending,
   by its slot (NULL: itself). */
static void s_check_slots (const zp_pull_t *x, const s_edges_t *g, const uint32_t *slot,
                           uint32_t threads)
{
    uint64_t m = g->offset[g->n];
    cr_assert_eq (x->n_targets, g->n_targets);
    cr_assert_eq (x->n_sources, m);
    uint64_t *count = calloc (g->n_targets + 1, sizeof *count);
    uint32_t *source = malloc ((m ? m : 1) * sizeof *source);
    cr_assert (count && source);
    for (uint64_t e = 0; e < m; e++)
        count[g->target[e] + 1]++;
    for (uint64_t h = 0; h < g->n_targets; h++)
        count[h + 1] += count[h];
    for (uint32_t u = 0; u < g->n; u++)
        for (uint64_t e = g->offset[u]; e < g->offset[u + 1]; e++)
            source[count[g->target[e]]++] = slot ? slot[u] : u;
    /* count[h] is now where h + 1's sources begin. The index holds the
       handles with sources, ascending, and where each one's begin. */
    uint64_t i = 0;
    for (uint64_t h = 0; h < g->n_targets; h++) {
        uint64_t begin = h ? count[h - 1] : 0;
        if (count[h] == begin)
            continue;
        cr_assert_lt (i, x->n_handles, "handle %lu on %u threads: left out", (unsigned long) h,
                      threads);
        cr_assert_eq (x->handle[i], h, "entry %lu on %u threads: handle %u, not %lu",
                      (unsigned long) i, threads, x->handle[i], (unsigned long) h);
        cr_assert_eq (x->offset[i], begin, "handle %lu on %u threads: begins at %u, not %lu",
                      (unsigned long) h, threads, x->offset[i], (unsigned long) begin);
        i++;
    }
    cr_assert_eq (x->n_handles, i, "%lu handles on %u threads, not %lu",
                  (unsigned long) x->n_handles, threads, (unsigned long) i);
    cr_assert_eq (x->offset[i], m);
    for (uint64_t e = 0; e < m; e++)
        cr_assert_eq (x->source[e], source[e], "source %lu on %u threads: %u, not %u",
                      (unsigned long) e, threads, x->source[e], source[e]);
    free (count);
    free (source);
}
static void s_check (const zp_pull_t *x, const s_edges_t *g, uint32_t threads)
{
    s_check_slots (x, g, NULL, threads);
}

static unsigned s_power (const s_edges_t *g, uint32_t v)
{
    uint64_t degree = g->offset[v + 1] - g->offset[v];
    unsigned power = 0;
    while (degree >> power)
        power++;
    return power;
}

Test (pull, the_index_is_the_transposition_on_any_number_of_threads)
{
    /* 20,000 local vertices with up to 100 edges each over 30,000
       handles: about 750,000 edges, enough for 8 threads to build it
       together. */
    s_edges_t g = s_edges (20000, 30000, 100, 0x9e3779b97f4a7c15ULL);
    cr_assert_gt (g.offset[g.n], 8 * 2 * (g.n_targets + 1), "too few edges for 8 threads");
    const uint32_t threads[] = {1, 2, 3, 8};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        zp_pull_t x = s_build (&g, threads[i]);
        s_check (&x, &g, threads[i]);
        zp_pull_free (&x);
    }
    s_edges_free (&g);
}

Test (pull, few_edges_over_many_handles_build_on_fewer_threads_the_same)
{
    /* Fewer edges than handles: each thread's counts (4 bytes a handle)
       would cost more than the index, so it is built on fewer threads
       than asked for, and is the same. */
    s_edges_t g = s_edges (500, 200000, 20, 42);
    for (uint32_t threads = 1; threads <= 4; threads *= 2) {
        zp_pull_t x = s_build (&g, threads);
        s_check (&x, &g, threads);
        zp_pull_free (&x);
    }
    s_edges_free (&g);
}

Test (pull, a_partition_without_edges_has_an_empty_index)
{
    s_edges_t g = s_edges (100, 1000, 0, 7);
    cr_assert_eq (g.offset[g.n], 0);
    zp_pull_t x = s_build (&g, 2);
    s_check (&x, &g, 2);
    cr_assert_eq (x.n_handles, 0);
    cr_assert_eq (zp_pull_slice (&x, 0, 2), 0);
    cr_assert_eq (zp_pull_slice (&x, 2, 2), 0);
    zp_pull_free (&x);
    s_edges_free (&g);
}

Test (pull, slices_cover_the_handles_in_order_with_about_the_same_edges)
{
    s_edges_t g = s_edges (20000, 30000, 60, 1234567);
    zp_pull_t x = s_build (&g, 2);
    uint64_t m = g.offset[g.n], most_in = 0;
    for (uint64_t i = 0; i < x.n_handles; i++)
        if (x.offset[i + 1] - x.offset[i] > most_in)
            most_in = x.offset[i + 1] - x.offset[i];
    for (uint32_t slices = 1; slices <= 8; slices++) {
        cr_assert_eq (zp_pull_slice (&x, 0, slices), 0);
        cr_assert_eq (zp_pull_slice (&x, slices, slices), x.n_handles);
        for (uint32_t i = 0; i < slices; i++) {
            uint64_t lo = zp_pull_slice (&x, i, slices), hi = zp_pull_slice (&x, i + 1, slices);
            cr_assert_leq (lo, hi, "slice %u of %u runs backwards", i, slices);
            /* A slice ends at the first handle at or past its share, so it
               holds its share of the edges give or take one handle's. */
            uint64_t edges = x.offset[hi] - x.offset[lo];
            cr_assert_leq (edges, m / slices + most_in + 1, "slice %u of %u: %lu edges", i, slices,
                           (unsigned long) edges);
        }
    }
    zp_pull_free (&x);
    s_edges_free (&g);
}

Test (pull, slots_put_a_ranges_vertices_with_more_edges_first)
{
    s_edges_t g = s_edges (20000, 30000, 100, 99);
    uint32_t *slot = malloc (g.n * sizeof *slot), *vertex = malloc (g.n * sizeof *vertex);
    cr_assert (slot && vertex);
    const uint32_t range[] = {0, 7000, 7001, 20000}; /* lanes, one of a single vertex */
    for (size_t r = 0; r + 1 < sizeof range / sizeof range[0]; r++)
        zp_pull_order (range[r], range[r + 1], g.offset, slot);
    for (uint32_t v = 0; v < g.n; v++)
        vertex[v] = UINT32_MAX;
    for (size_t r = 0; r + 1 < sizeof range / sizeof range[0]; r++) {
        uint32_t from = range[r], to = range[r + 1];
        for (uint32_t v = from; v < to; v++) {
            cr_assert (slot[v] >= from && slot[v] < to, "vertex %u of [%u, %u): slot %u", v, from,
                       to, slot[v]);
            cr_assert_eq (vertex[slot[v]], UINT32_MAX, "slot %u given twice", slot[v]);
            vertex[slot[v]] = v;
        }
        /* Along the slots: powers of two of the out-degree never rise, and
           within a power the vertices keep their order. */
        for (uint32_t s = from + 1; s < to; s++) {
            unsigned before = s_power (&g, vertex[s - 1]), here = s_power (&g, vertex[s]);
            cr_assert_geq (before, here, "slot %u (vertex %u, power %u) after power %u", s,
                           vertex[s], here, before);
            if (before == here)
                cr_assert_lt (vertex[s - 1], vertex[s]);
        }
    }
    /* The index holds the slots, in the vertices' order, on any threads. */
    for (uint32_t threads = 1; threads <= 3; threads += 2) {
        zp_pull_t x = s_build_slots (&g, slot, threads);
        s_check_slots (&x, &g, slot, threads);
        zp_pull_free (&x);
    }
    free (slot);
    free (vertex);
    s_edges_free (&g);
}

/*  The yardsticks of make bench-algorithms: each LDBC Graphalytics
    algorithm but PageRank (bench/pagerank_ref.c) as one would write it by
    hand for one thread over a CSR, with the algorithm the literature
    knows to be fast (the COST of each: what a distributed engine on two
    threads must beat to be worth its machinery):

      bfs   direction-optimizing (Beamer et al., SC'12): top-down while the
            frontier's out-edges are few, bottom-up (each unvisited vertex
            scans its in-edges and stops at the first parent found) while
            they are many;
      wcc   union-find with path halving, linking to the smaller index;
      cdlp  synchronous label propagation with a hash histogram a vertex;
      sssp  Dijkstra with a binary heap;
      lcc   for each vertex, its neighbours marked in an array, and each
            neighbour's out-list counted against the marks.

        graphalytics_ref ALGORITHM GRAPH OUTPUT [SOURCE|ITERATIONS]

    GRAPH is a .zpg or Graphalytics dataset (SSSP needs weights); the
    output is written as zpregel writes it (Graphalytics format), and one
    JSON line is printed: {"load_seconds":L,"compute_seconds":C}.
*/
#include "zp_graph.h"

#include <czmq.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Direction-optimizing BFS: depth[v], INT64_MAX when unreached. */
static void s_bfs (const zp_graph_t *g, uint64_t source, int64_t *depth)
{
    uint64_t n = g->n;
    uint32_t *queue = malloc ((n ? n : 1) * sizeof *queue);
    uint8_t *in_frontier = calloc (n ? n : 1, 1), *next = calloc (n ? n : 1, 1);
    for (uint64_t v = 0; v < n; v++)
        depth[v] = INT64_MAX;
    depth[source] = 0;
    queue[0] = (uint32_t) source;
    uint64_t head = 0, tail = 1, frontier_edges = g->offsets[source + 1] - g->offsets[source];
    uint64_t unexplored_edges = g->m - frontier_edges;
    bool bottom_up = false;
    for (int64_t level = 0; head < tail; level++) {
        uint64_t size = tail - head;
        /* Beamer's switch: bottom-up once the frontier's edges pass 1/14
           of those left; back to top-down once it is under n/24 vertices. */
        if (!bottom_up && frontier_edges > unexplored_edges / 14)
            bottom_up = true;
        else if (bottom_up && size < n / 24)
            bottom_up = false;
        uint64_t next_edges = 0, start = tail;
        if (bottom_up) {
            memset (in_frontier, 0, n);
            for (uint64_t i = head; i < tail; i++)
                in_frontier[queue[i]] = 1;
            memset (next, 0, n);
            for (uint64_t v = 0; v < n; v++) {
                if (depth[v] != INT64_MAX)
                    continue;
                for (uint64_t e = g->in_offsets[v]; e < g->in_offsets[v + 1]; e++)
                    if (in_frontier[g->in_sources[e]]) {
                        depth[v] = level + 1;
                        queue[tail++] = (uint32_t) v;
                        next_edges += g->offsets[v + 1] - g->offsets[v];
                        break;
                    }
            }
        } else
            for (uint64_t i = head; i < start; i++) {
                uint32_t u = queue[i];
                for (uint64_t e = g->offsets[u]; e < g->offsets[u + 1]; e++) {
                    uint32_t v = g->targets[e];
                    if (depth[v] == INT64_MAX) {
                        depth[v] = level + 1;
                        queue[tail++] = v;
                        next_edges += g->offsets[v + 1] - g->offsets[v];
                    }
                }
            }
        head = start;
        frontier_edges = next_edges;
        unexplored_edges -= next_edges < unexplored_edges ? next_edges : unexplored_edges;
    }
    free (queue);
    free (in_frontier);
    free (next);
}

static uint32_t s_find (uint32_t *parent, uint32_t v)
{
    while (parent[v] != v) {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    return v;
}

/* WCC: each vertex's label is the smallest id of its component. */
static void s_wcc (const zp_graph_t *g, uint64_t *label)
{
    uint32_t *parent = malloc ((g->n ? g->n : 1) * sizeof *parent);
    for (uint64_t v = 0; v < g->n; v++)
        parent[v] = (uint32_t) v;
    for (uint64_t v = 0; v < g->n; v++)
        for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
            uint32_t a = s_find (parent, (uint32_t) v), b = s_find (parent, g->targets[e]);
            if (a < b)
                parent[b] = a;
            else if (b < a)
                parent[a] = b;
        }
    /* Roots are the smallest index of their set, and ids ascend with it. */
    for (uint64_t v = 0; v < g->n; v++)
        label[v] = g->ids[s_find (parent, (uint32_t) v)];
    free (parent);
}

/* One vertex's label histogram: open addressing over a power of two. */
typedef struct {
    uint64_t *key;
    uint32_t *count;
    uint32_t *used; /* slots taken, to clear them */
    size_t cap, n_used;
} s_histogram_t;

static void s_histogram_reserve (s_histogram_t *h, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    if (cap <= h->cap)
        return;
    free (h->key);
    free (h->count);
    free (h->used);
    h->key = malloc (cap * sizeof *h->key);
    h->count = calloc (cap, sizeof *h->count);
    h->used = malloc (cap * sizeof *h->used);
    h->cap = cap;
}

static void s_histogram_add (s_histogram_t *h, uint64_t key, size_t mask)
{
    size_t at = (size_t) ((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (h->count[at] && h->key[at] != key)
        at = (at + 1) & mask;
    if (!h->count[at]) {
        h->key[at] = key;
        h->used[h->n_used++] = (uint32_t) at;
    }
    h->count[at]++;
}

/* CDLP: exactly `iterations` synchronous rounds; in- and out-neighbours
   count (one that is both counts twice) in a directed graph, out-neighbours
   in an undirected one; the most frequent label wins, the smallest on a tie. */
static void s_cdlp (const zp_graph_t *g, int64_t iterations, uint64_t *label)
{
    uint64_t *next = malloc ((g->n ? g->n : 1) * sizeof *next);
    s_histogram_t h = {0};
    for (uint64_t v = 0; v < g->n; v++)
        label[v] = g->ids[v];
    for (int64_t it = 0; it < iterations; it++) {
        for (uint64_t v = 0; v < g->n; v++) {
            uint64_t out = g->offsets[v + 1] - g->offsets[v];
            uint64_t in = g->directed ? g->in_offsets[v + 1] - g->in_offsets[v] : 0;
            if (out + in == 0) {
                next[v] = label[v];
                continue;
            }
            s_histogram_reserve (&h, out + in);
            size_t mask = h.cap - 1;
            for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
                s_histogram_add (&h, label[g->targets[e]], mask);
            for (uint64_t e = in ? g->in_offsets[v] : 0; in && e < g->in_offsets[v + 1]; e++)
                s_histogram_add (&h, label[g->in_sources[e]], mask);
            uint64_t best = UINT64_MAX;
            uint32_t most = 0;
            for (size_t i = 0; i < h.n_used; i++) {
                uint32_t at = h.used[i];
                if (h.count[at] > most || (h.count[at] == most && h.key[at] < best)) {
                    most = h.count[at];
                    best = h.key[at];
                }
                h.count[at] = 0;
            }
            h.n_used = 0;
            next[v] = best;
        }
        memcpy (label, next, g->n * sizeof *label);
    }
    free (next);
    free (h.key);
    free (h.count);
    free (h.used);
}

typedef struct {
    double d;
    uint32_t v;
} s_entry_t;

/* SSSP: Dijkstra with a binary heap and lazy deletion. */
static void s_sssp (const zp_graph_t *g, uint64_t source, double *dist)
{
    size_t cap = 1024, n = 0;
    s_entry_t *heap = malloc (cap * sizeof *heap);
    for (uint64_t v = 0; v < g->n; v++)
        dist[v] = INFINITY;
    dist[source] = 0;
    heap[n++] = (s_entry_t){0, (uint32_t) source};
    while (n) {
        s_entry_t top = heap[0];
        heap[0] = heap[--n];
        for (size_t i = 0;;) { /* sift down */
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < n && heap[l].d < heap[m].d)
                m = l;
            if (r < n && heap[r].d < heap[m].d)
                m = r;
            if (m == i)
                break;
            s_entry_t t = heap[i];
            heap[i] = heap[m];
            heap[m] = t;
            i = m;
        }
        if (top.d > dist[top.v])
            continue;
        for (uint64_t e = g->offsets[top.v]; e < g->offsets[top.v + 1]; e++) {
            uint32_t w = g->targets[e];
            double d = top.d + g->weights[e];
            if (d >= dist[w])
                continue;
            dist[w] = d;
            if (n == cap)
                heap = realloc (heap, (cap *= 2) * sizeof *heap);
            size_t i = n++;
            for (; i && heap[(i - 1) / 2].d > d; i = (i - 1) / 2) /* sift up */
                heap[i] = heap[(i - 1) / 2];
            heap[i] = (s_entry_t){d, w};
        }
    }
    free (heap);
}

/* LCC: t / (d (d - 1)), d = |N(v)| (in- and out-neighbours, once each), t
   the arcs u -> w with u and w in N(v). */
static void s_lcc (const zp_graph_t *g, double *lcc)
{
    uint64_t *mark = calloc (g->n ? g->n : 1, sizeof *mark); /* v + 1 while v counts */
    uint32_t *set = malloc ((g->n ? g->n : 1) * sizeof *set);
    for (uint64_t v = 0; v < g->n; v++) {
        uint64_t d = 0;
        for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
            if (mark[g->targets[e]] != v + 1) {
                mark[g->targets[e]] = v + 1;
                set[d++] = g->targets[e];
            }
        for (uint64_t e = g->in_offsets[v]; e < g->in_offsets[v + 1]; e++)
            if (mark[g->in_sources[e]] != v + 1) {
                mark[g->in_sources[e]] = v + 1;
                set[d++] = g->in_sources[e];
            }
        uint64_t t = 0;
        for (uint64_t i = 0; d > 1 && i < d; i++)
            for (uint64_t e = g->offsets[set[i]]; e < g->offsets[set[i] + 1]; e++)
                t += mark[g->targets[e]] == v + 1;
        lcc[v] = d > 1 ? (double) t / ((double) d * (double) (d - 1)) : 0.0;
    }
    free (mark);
    free (set);
}

int main (int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf (stderr, "usage: graphalytics_ref bfs|wcc|cdlp|sssp|lcc GRAPH OUTPUT "
                         "[SOURCE|ITERATIONS]\n");
        return 2;
    }
    const char *algorithm = argv[1];
    bool bfs = !strcmp (algorithm, "bfs"), wcc = !strcmp (algorithm, "wcc"),
         cdlp = !strcmp (algorithm, "cdlp"), sssp = !strcmp (algorithm, "sssp"),
         lcc = !strcmp (algorithm, "lcc");
    if (!bfs && !wcc && !cdlp && !sssp && !lcc) {
        fprintf (stderr, "graphalytics_ref: no algorithm \"%s\"\n", algorithm);
        return 2;
    }
    char err[1024];
    int64_t t0 = zclock_usecs ();
    zp_graph_source_t src = {argv[2], ZP_FORMAT_AUTO, 1, sssp ? "weight" : NULL, false, 0, NULL};
    zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
    if (!g) {
        fprintf (stderr, "graphalytics_ref: %s\n", err);
        return 1;
    }
    if ((bfs || cdlp || lcc) && zp_graph_build_in_edges (g) != 0) {
        fprintf (stderr, "graphalytics_ref: out of memory\n");
        return 1;
    }
    if (sssp && !g->weights) {
        fprintf (stderr, "graphalytics_ref: %s has no weights\n", argv[2]);
        return 1;
    }
    uint64_t arg = argc == 5 ? strtoull (argv[4], NULL, 10) : (cdlp ? 10 : 0);
    int64_t source = bfs || sssp ? zp_graph_index (g, arg) : 0;
    if (source < 0) {
        fprintf (stderr, "graphalytics_ref: no vertex %" PRIu64 " in %s\n", arg, argv[2]);
        return 1;
    }
    double load = (double) (zclock_usecs () - t0) / 1e6;
    zp_value_t *values = malloc ((g->n ? g->n : 1) * sizeof *values);
    if (!values)
        return 1;
    int64_t *i64 = malloc ((g->n ? g->n : 1) * sizeof *i64);
    uint64_t *u64 = malloc ((g->n ? g->n : 1) * sizeof *u64);
    double *f64 = malloc ((g->n ? g->n : 1) * sizeof *f64);
    if (!i64 || !u64 || !f64)
        return 1;
    t0 = zclock_usecs ();
    if (bfs)
        s_bfs (g, (uint64_t) source, i64);
    else if (wcc)
        s_wcc (g, u64);
    else if (cdlp)
        s_cdlp (g, (int64_t) arg, u64);
    else if (sssp)
        s_sssp (g, (uint64_t) source, f64);
    else
        s_lcc (g, f64);
    double compute = (double) (zclock_usecs () - t0) / 1e6;
    for (uint64_t v = 0; v < g->n; v++) {
        if (bfs)
            values[v].i64 = i64[v];
        else if (wcc || cdlp)
            values[v].u64 = u64[v];
        else
            values[v].f64 = f64[v];
    }
    free (i64);
    free (u64);
    free (f64);
    zp_type_t type = bfs ? ZP_I64 : wcc || cdlp ? ZP_U64 : ZP_F64;
    if (zp_graph_write_values (g, values, type, argv[3], err, sizeof err) != 0) {
        fprintf (stderr, "graphalytics_ref: %s\n", err);
        return 1;
    }
    printf ("{\"load_seconds\":%.6f,\"compute_seconds\":%.6f}\n", load, compute);
    free (values);
    zp_graph_destroy (&g);
    return 0;
}

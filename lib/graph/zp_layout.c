/*  zp_layout: placement, handle numbering and the per-worker slices of the graph. */
#include "zp_layout.h"
#include "zp_parallel.h"

#include <stdlib.h>
#include <string.h>

/* An empty layout of n vertices: the arrays allocated, nothing placed. */
static zp_layout_t *s_alloc (uint64_t n, uint32_t n_workers, uint32_t n_partitions)
{
    zp_layout_t *l = calloc (1, sizeof *l);
    if (!l)
        return NULL;
    l->n_workers = n_workers;
    l->n_partitions = n_partitions;
    l->n = n;
    l->handle_of = malloc ((n ? n : 1) * sizeof *l->handle_of);
    l->index_of = malloc ((n ? n : 1) * sizeof *l->index_of);
    l->ranges = calloc ((size_t) n_workers + 1, sizeof *l->ranges);
    l->edges_of = calloc (n_workers, sizeof *l->edges_of);
    l->partition_of = malloc ((n ? n : 1) * sizeof *l->partition_of);
    l->worker_of = malloc ((n_partitions ? n_partitions : 1) * sizeof *l->worker_of);
    if (!l->handle_of || !l->index_of || !l->ranges || !l->edges_of || !l->partition_of ||
        !l->worker_of)
        zp_layout_destroy (&l);
    return l;
}

/* Numbers the handles once partition_of and worker_of are set: worker by
   worker, partition by partition, ascending id. 0, or -1 (ENOMEM). */
static int s_number (zp_layout_t *l, const zp_graph_t *g)
{
    uint64_t n = l->n;
    uint32_t n_partitions = l->n_partitions, n_workers = l->n_workers;
    uint64_t *start = calloc ((size_t) n_partitions + 1, sizeof *start);
    uint32_t *rank = malloc ((n_partitions ? n_partitions : 1) * sizeof *rank);
    if (!start || !rank) {
        free (start);
        free (rank);
        return -1;
    }
    /* rank[p]: the position of partition p in handle order. */
    uint32_t at = 0;
    for (uint32_t w = 0; w < n_workers; w++)
        for (uint32_t p = 0; p < n_partitions; p++)
            if (l->worker_of[p] == w)
                rank[p] = at++;
    for (uint64_t i = 0; i < n; i++)
        start[rank[l->partition_of[i]] + 1]++;
    for (uint32_t p = 0; p < n_partitions; p++)
        start[p + 1] += start[p];
    memset (l->ranges, 0, ((size_t) n_workers + 1) * sizeof *l->ranges);
    memset (l->edges_of, 0, n_workers * sizeof *l->edges_of);
    for (uint32_t p = 0; p < n_partitions; p++)
        l->ranges[l->worker_of[p] + 1] += (uint32_t) (start[rank[p] + 1] - start[rank[p]]);
    for (uint32_t w = 0; w < n_workers; w++)
        l->ranges[w + 1] += l->ranges[w];
    for (uint64_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t) start[rank[l->partition_of[i]]]++;
        l->handle_of[i] = h;
        l->index_of[h] = (uint32_t) i;
    }
    for (uint32_t w = 0; w < n_workers; w++)
        for (uint32_t h = l->ranges[w]; h < l->ranges[w + 1]; h++) {
            uint32_t i = l->index_of[h];
            l->edges_of[w] += g->offsets[i + 1] - g->offsets[i];
        }
    free (start);
    free (rank);
    return 0;
}

/* The size of each partition: its vertices, or (by_edges) their out-degree + 1 each. */
static double *s_partition_sizes (const zp_layout_t *l, const zp_graph_t *g, bool by_edges)
{
    double *psize = calloc (l->n_partitions ? l->n_partitions : 1, sizeof *psize);
    for (uint64_t i = 0; psize && i < l->n; i++)
        psize[l->partition_of[i]] +=
            by_edges ? (double) (g->offsets[i + 1] - g->offsets[i]) + 1 : 1.0;
    return psize;
}

static const zp_placement_t s_default = {ZP_BALANCE_HASH, ZP_BALANCE_HASH, false, NULL, NULL};

zp_layout_t *zp_layout_new (const zp_graph_t *g, uint32_t n_workers, uint32_t n_partitions,
                            const zp_placement_t *how)
{
    if (!how)
        how = &s_default;
    uint64_t n = g->n;
    zp_layout_t *l = s_alloc (n, n_workers, n_partitions);
    /* Vertex sizes only for a vertex balancer that reads them: an array
       over |V| that is not needed costs the peak more than its own size
       (glibc then keeps later large blocks on the heap). */
    bool sized = how->by_edges &&
                 (how->vertices == ZP_BALANCE_WEIGHTED || how->vertices == ZP_BALANCE_RANGE);
    double *size = sized ? malloc ((n ? n : 1) * sizeof *size) : NULL;
    uint64_t *pkeys = malloc ((n_partitions ? n_partitions : 1) * sizeof *pkeys);
    double *psize = NULL;
    bool ok = l && (size || !sized) && pkeys;
    if (l) {
        l->vertices = how->vertices;
        l->by_edges = how->by_edges;
    }
    for (uint64_t i = 0; ok && size && i < n; i++)
        size[i] = (double) (g->offsets[i + 1] - g->offsets[i]) + 1;
    /* Step 1: vertices into partitions. */
    ok =
        ok && zp_balance (how->vertices, g->ids, size, n, NULL, n_partitions, l->partition_of) == 0;
    /* Step 2: partitions onto workers, by their total size. */
    ok = ok && (psize = s_partition_sizes (l, g, how->by_edges));
    for (uint32_t p = 0; ok && p < n_partitions; p++)
        pkeys[p] = p;
    if (how->worker_of)
        for (uint32_t p = 0; ok && p < n_partitions; p++)
            ok = (l->worker_of[p] = how->worker_of[p]) < n_workers;
    else
        ok = ok && zp_balance (how->workers, pkeys, psize, n_partitions, how->weights, n_workers,
                               l->worker_of) == 0;
    ok = ok && s_number (l, g) == 0;
    if (!ok)
        zp_layout_destroy (&l);
    free (size);
    free (psize);
    free (pkeys);
    return l;
}

zp_layout_t *zp_layout_without (const zp_layout_t *old, const zp_graph_t *g, const bool *lost,
                                const zp_placement_t *how)
{
    if (!how)
        how = &s_default;
    uint32_t n_old = old->n_workers, n_partitions = old->n_partitions, survivors = 0;
    uint32_t *renumber = malloc (n_old * sizeof *renumber);
    for (uint32_t w = 0; renumber && w < n_old; w++)
        renumber[w] = lost[w] ? UINT32_MAX : survivors++;
    if (!renumber || survivors == 0) {
        free (renumber);
        return NULL;
    }
    zp_layout_t *l = s_alloc (old->n, survivors, n_partitions);
    double *psize = l ? s_partition_sizes (old, g, how->by_edges) : NULL;
    uint64_t *keys = malloc ((n_partitions ? n_partitions : 1) * sizeof *keys);
    double *sizes = malloc ((n_partitions ? n_partitions : 1) * sizeof *sizes);
    double *weights = how->weights ? malloc (survivors * sizeof *weights) : NULL;
    uint32_t *bin = malloc ((n_partitions ? n_partitions : 1) * sizeof *bin);
    bool ok = l && psize && keys && sizes && (weights || !how->weights) && bin;
    if (ok) {
        l->vertices = old->vertices;
        l->by_edges = old->by_edges;
        memcpy (l->partition_of, old->partition_of, old->n * sizeof *l->partition_of);
        for (uint32_t w = 0; weights && w < n_old; w++)
            if (!lost[w])
                weights[renumber[w]] = how->weights[w];
        /* Survivors keep their partitions; the lost ones are balanced over them. */
        size_t orphans = 0;
        for (uint32_t p = 0; p < n_partitions; p++) {
            uint32_t w = renumber[old->worker_of[p]];
            l->worker_of[p] = w;
            if (w == UINT32_MAX) {
                keys[orphans] = p;
                sizes[orphans++] = psize[p];
            }
        }
        ok = zp_balance (how->workers, keys, sizes, orphans, weights, survivors, bin) == 0;
        for (size_t k = 0; ok && k < orphans; k++)
            l->worker_of[keys[k]] = bin[k];
        ok = ok && s_number (l, g) == 0;
    }
    if (!ok)
        zp_layout_destroy (&l);
    free (renumber);
    free (psize);
    free (keys);
    free (sizes);
    free (weights);
    free (bin);
    return l;
}

void zp_layout_destroy (zp_layout_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_layout_t *l = *self_p;
    free (l->handle_of);
    free (l->index_of);
    free (l->ranges);
    free (l->edges_of);
    free (l->partition_of);
    free (l->worker_of);
    free (l);
    *self_p = NULL;
}

/* A share of a worker's handles, sliced into its ASSIGN on a thread. */
typedef struct {
    const zp_layout_t *l;
    const zp_graph_t *g;
    uint32_t lo, hi;  /* the share's handles */
    uint32_t first;   /* the worker's first handle */
    uint64_t out, in; /* the share's first out- and in-edge in the worker's slices */
    uint8_t *frame;   /* the ASSIGN */
    zp_assign_room_t room;
} s_slice_share_t;

/* The edges of the handles [lo, hi) in one CSR (out or in). */
static uint64_t s_count (const zp_layout_t *l, const uint64_t *off, uint32_t lo, uint32_t hi)
{
    uint64_t m = 0;
    for (uint32_t h = lo; h < hi; h++) {
        uint32_t i = l->index_of[h];
        m += off[i + 1] - off[i];
    }
    return m;
}

static void *s_count_share (void *arg)
{
    s_slice_share_t *s = arg;
    s->out = s_count (s->l, s->g->offsets, s->lo, s->hi);
    s->in = s->g->in_offsets ? s_count (s->l, s->g->in_offsets, s->lo, s->hi) : 0;
    return NULL;
}

/* Slices one CSR (out or in) for the share's handles into the frame's room
   (unaligned, little-endian): offsets from the worker's first edge, targets
   mapped to handles, and the weights when `wgt` and `w_at`. */
static void s_slice (const s_slice_share_t *s, const uint64_t *off, const uint32_t *tgt,
                     const double *wgt, uint64_t at, uint8_t *o_at, uint8_t *t_at, uint8_t *w_at)
{
    const uint32_t *restrict handle_of = s->l->handle_of;
    for (uint32_t h = s->lo; h < s->hi; h++) {
        uint32_t i = s->l->index_of[h];
        zp_store_u64 (o_at + (size_t) (h - s->first) * 8, at);
        uint64_t begin = off[i], end = off[i + 1];
        uint8_t *t = t_at + at * 4;
        for (uint64_t e = begin; e < end; e++, t += 4)
            zp_store_u32 (t, handle_of[tgt[e]]);
        if (w_at && end > begin)
            memcpy (w_at + at * 8, wgt + begin, (end - begin) * 8);
        at += end - begin;
    }
}

static void *s_slice_share (void *arg)
{
    s_slice_share_t *s = arg;
    const zp_graph_t *g = s->g;
    const zp_assign_room_t *r = &s->room;
    uint8_t *frame = s->frame;
    for (uint32_t h = s->lo; h < s->hi; h++) {
        uint32_t i = s->l->index_of[h];
        zp_store_u64 (frame + r->ids + (size_t) (h - s->first) * 8, g->ids[i]);
        if (g->vertex_values)
            memcpy (frame + r->vertex_values + (size_t) (h - s->first) * 8, &g->vertex_values[i],
                    8);
    }
    s_slice (s, g->offsets, g->targets, g->weights, s->out, frame + r->out_offsets,
             frame + r->out_targets, g->weights ? frame + r->out_weights : NULL);
    if (g->in_offsets)
        s_slice (s, g->in_offsets, g->in_sources, NULL, s->in, frame + r->in_offsets,
                 frame + r->in_targets, NULL);
    return NULL;
}

int zp_layout_encode_assign (const zp_layout_t *l, const zp_graph_t *g, uint32_t w,
                             const zp_assign_t *base, zp_cbor_writer_t *out)
{
    uint32_t lo = l->ranges[w], hi = l->ranges[w + 1];
    /* Shares of about equal size: the placement spreads the degrees. */
    s_slice_share_t shares[ZP_PARALLEL_MAX];
    uint64_t edges = g->offsets[g->n] / (l->n_workers ? l->n_workers : 1);
    uint32_t t = zp_parallel_threads (edges + (hi - lo), 1u << 20);
    for (uint32_t k = 0; k < t; k++)
        shares[k] = (s_slice_share_t){.l = l,
                                      .g = g,
                                      .lo = lo + (uint32_t) ((uint64_t) (hi - lo) * k / t),
                                      .hi = lo + (uint32_t) ((uint64_t) (hi - lo) * (k + 1) / t),
                                      .first = lo};
    zp_parallel (s_count_share, shares, sizeof *shares, t);
    zp_assign_t a = *base;
    a.worker = w;
    a.n_workers = l->n_workers;
    a.n_vertices = l->n;
    a.ranges = (const uint8_t *) l->ranges;
    a.n_edges = a.n_in_edges = 0;
    for (uint32_t k = 0; k < t; k++) {
        uint64_t out_k = shares[k].out, in_k = shares[k].in;
        shares[k].out = a.n_edges;
        shares[k].in = a.n_in_edges;
        a.n_edges += out_k;
        a.n_in_edges += in_k;
    }
    /* The graph's own arrays mark which the frame carries; the frame gets
       this worker's slices of them, written in place. */
    a.ids = (const uint8_t *) g->ids;
    a.out_offsets = (const uint8_t *) g->offsets;
    a.out_targets = (const uint8_t *) g->targets;
    a.out_weights = (const uint8_t *) g->weights;
    a.in_offsets = (const uint8_t *) g->in_offsets;
    a.in_targets = (const uint8_t *) g->in_sources;
    a.vertex_values = (const uint8_t *) g->vertex_values;
    zp_assign_room_t room;
    if (zp_assign_encode_room (&a, out, &room) != 0)
        return -1;
    for (uint32_t k = 0; k < t; k++) {
        shares[k].frame = out->data;
        shares[k].room = room;
    }
    zp_parallel (s_slice_share, shares, sizeof *shares, t);
    size_t n = hi - lo;
    zp_store_u64 (out->data + room.out_offsets + n * 8, a.n_edges);
    if (g->in_offsets)
        zp_store_u64 (out->data + room.in_offsets + n * 8, a.n_in_edges);
    return 0;
}

/* The worker that owns handle t, walking from `w` (ranges ascend). */
static uint32_t s_owner_from (const zp_layout_t *l, uint32_t w, uint32_t t)
{
    while (w > 0 && t < l->ranges[w])
        w--;
    while (t >= l->ranges[w + 1])
        w++;
    return w;
}

/* Counts, for each group k of senders (the workers that group_of puts in
   it; NULL: every worker in group 0), the distinct vertices of each
   worker j that the group's vertices point at, into counts[k x n + j]: a
   combiner merges the rest. A vertex of the sender's own worker counts
   only with `own` (it never leaves the worker). */
static void s_reached (const zp_layout_t *l, const zp_graph_t *g, const uint32_t *group_of,
                       uint32_t n_groups, bool own, uint32_t *stamp, double *counts)
{
    uint32_t n = l->n_workers;
    memset (stamp, 0, (l->n ? l->n : 1) * sizeof *stamp);
    for (uint32_t k = 0; k < n_groups; k++)
        for (uint32_t w = 0; w < n; w++) {
            if ((group_of ? group_of[w] : 0) != k)
                continue;
            uint32_t owner = 0;
            for (uint32_t h = l->ranges[w]; h < l->ranges[w + 1]; h++) {
                uint32_t i = l->index_of[h];
                for (uint64_t e = g->offsets[i]; e < g->offsets[i + 1]; e++) {
                    uint32_t t = l->handle_of[g->targets[e]];
                    if (stamp[t] == k + 1)
                        continue;
                    owner = s_owner_from (l, owner, t);
                    if (owner == w && !own)
                        continue;
                    stamp[t] = k + 1;
                    counts[(size_t) k * n + owner] += 1;
                }
            }
        }
}

int zp_layout_estimate_traffic (const zp_layout_t *l, const zp_graph_t *g, double bytes_per_message,
                                const uint32_t *group_of, uint32_t n_groups, zp_traffic_matrix_t *m)
{
    uint32_t n = l->n_workers;
    memset (m, 0, sizeof *m);
    m->n = n;
    m->steps = 1;
    m->messages = calloc ((size_t) n * n, sizeof *m->messages);
    m->bytes = calloc ((size_t) n * n, sizeof *m->bytes);
    m->reached = calloc (n ? n : 1, sizeof *m->reached);
    if (group_of && n_groups) {
        m->n_groups = n_groups;
        m->group_of = malloc ((n ? n : 1) * sizeof *m->group_of);
        m->group_reached = calloc ((size_t) n_groups * n + 1, sizeof *m->group_reached);
    }
    /* Each worker a group of its own: what it sends each worker. */
    uint32_t *seen = calloc (l->n ? l->n : 1, sizeof *seen);
    uint32_t *each = malloc ((n ? n : 1) * sizeof *each);
    if (!m->messages || !m->bytes || !m->reached || !seen || !each ||
        (m->n_groups && (!m->group_of || !m->group_reached))) {
        free (seen);
        free (each);
        zp_traffic_free (m);
        return -1;
    }
    for (uint32_t w = 0; w < n; w++)
        each[w] = w;
    s_reached (l, g, each, n, true, seen, m->messages);
    free (each);
    for (size_t k = 0; k < (size_t) n * n; k++)
        m->bytes[k] = k % (n + 1) == 0 ? 0 : m->messages[k] * bytes_per_message;
    s_reached (l, g, NULL, 1, false, seen, m->reached);
    if (m->n_groups) {
        memcpy (m->group_of, group_of, n * sizeof *group_of);
        s_reached (l, g, group_of, n_groups, false, seen, m->group_reached);
    }
    free (seen);
    return 0;
}

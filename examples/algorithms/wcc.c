/*  WCC (LDBC Graphalytics): weakly connected components, each labelled with
    its smallest vertex id (any uint64). Edge direction is ignored, so in a directed graph a
    label travels along in-edges as well as out-edges.

    Inside a worker the components are found as a fast single-threaded
    loop finds them, with a union-find over the edges between the worker's
    own vertices (zp_local_value, API version 7), on all its threads;
    between workers, by min-label propagation over the edges that cross,
    one combined message a target:
    - superstep 0: every vertex links itself with its first two
      out-neighbours on the worker (a lock-free union: the root of a tree
      is its vertex of smallest id, so the trees do not depend on which
      thread linked first), and the worker's vertex of most edges is found;
    - superstep 1: a vertex already in that vertex's tree (most of a
      power-law graph) skips its edges; every other links itself with all
      its neighbours on the worker (Afforest: Sutton, Ben-Nun and Barak,
      IPDPS 2018). An edge skipped at one end is linked from the other,
      unless both ends were in the tree already;
    - superstep 2: every vertex takes its root's id as its label, points
      at the root, joins the root's list of members, and sends the label
      to its neighbours on other workers;
    - then a vertex sent a smaller label takes it, passes it on across
      workers and to its root, and a root that takes one tells its
      members: a component of the worker moves as one.
    A worker alone sends nothing. The value holds handles (the root, the
    next member), so the program is not placement-free: a checkpoint
    cannot move to other workers.
*/
#include "zpregel/zp_program.h"

#include <stdbool.h>

typedef struct {
    uint64_t label;
    zp_handle_t parent; /* supersteps 0 and 1: in the union-find; then the root */
    zp_handle_t next;   /* the root's list of its members, through them */
    /* The worker's first vertex only: its vertex of most edges, as
       (edges << 32 | handle), found in superstep 0. */
    uint64_t hub;
} s_vertex_t;

#define S_NONE UINT32_MAX

static inline s_vertex_t *s_at (zp_vertex_t *v, zp_handle_t h)
{
    return zp_local_value (v, h);
}

/* The root of h's tree, halving the path on the way (another thread may
   be linking or halving the same trees: each write points a vertex at
   one of its ancestors, so every interleaving leaves a forest of the
   same roots). */
static zp_handle_t s_find (zp_vertex_t *v, zp_handle_t h)
{
    for (;;) {
        zp_handle_t p = __atomic_load_n (&s_at (v, h)->parent, __ATOMIC_RELAXED);
        if (p == h)
            return h;
        zp_handle_t g = __atomic_load_n (&s_at (v, p)->parent, __ATOMIC_RELAXED);
        if (g != p)
            __atomic_store_n (&s_at (v, h)->parent, g, __ATOMIC_RELAXED);
        h = g;
    }
}

/* Joins the trees of a and b: the root of larger id goes under the other,
   if it still is a root when the link is made. */
static void s_union (zp_vertex_t *v, zp_handle_t a, zp_handle_t b)
{
    for (;;) {
        a = s_find (v, a);
        b = s_find (v, b);
        if (a == b)
            return;
        if (s_at (v, a)->label < s_at (v, b)->label) {
            zp_handle_t t = a;
            a = b;
            b = t;
        }
        zp_handle_t expected = a;
        if (__atomic_compare_exchange_n (&s_at (v, a)->parent, &expected, b, false,
                                         __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return;
    }
}

/* Whether this worker has every vertex: then no label can come from
   another, and its answer is final once its trees are. */
static inline bool s_alone (const zp_vertex_t *v)
{
    return zp_local_count (v) == zp_vertex_count (v);
}

/* Whether handle h is on this worker: one range, [first, first + count). */
static inline bool s_here (zp_handle_t first, size_t count, zp_handle_t h)
{
    return (size_t) (zp_handle_t) (h - first) < count;
}

/* The label to every neighbour on another worker (none when this worker
   has every vertex), gathered in the thread's scratch and sent in one call. */
static void s_send_across (zp_vertex_t *v, uint64_t label)
{
    if (s_alone (v))
        return;
    zp_handle_t first = zp_local_first (v);
    size_t count = zp_local_count (v);
    size_t out = zp_out_degree (v), in = zp_directed (v) ? zp_in_degree (v) : 0, n = 0;
    zp_handle_t *far = zp_scratch (v, (out + in) * sizeof *far);
    if (!far)
        return; /* the job fails, saying so */
    const zp_handle_t *t = zp_out_targets (v);
    for (size_t i = 0; i < out; i++) {
        far[n] = t[i];
        n += !s_here (first, count, t[i]);
    }
    t = zp_in_sources (v); /* in-edges: the out-edges of an undirected graph, sent above */
    for (size_t i = 0; i < in; i++) {
        far[n] = t[i];
        n += !s_here (first, count, t[i]);
    }
    zp_send_each_u64 (v, far, n, label);
}

/* Links v with each of its `n` neighbours `t` on this worker. */
static void s_link (zp_vertex_t *v, const zp_handle_t *t, size_t n)
{
    zp_handle_t first = zp_local_first (v), self = zp_handle (v);
    size_t count = zp_local_count (v);
    for (size_t i = 0; i < n; i++)
        if (s_here (first, count, t[i]))
            s_union (v, self, t[i]);
}

static void s_init (zp_vertex_t *v)
{
    s_vertex_t *s = zp_value (v);
    s->label = zp_id (v);
    s->parent = zp_handle (v);
    s->next = S_NONE;
    s->hub = 0;
}

static void s_compute (zp_vertex_t *v)
{
    s_vertex_t *s = zp_value (v);
    zp_handle_t self = zp_handle (v);
    uint32_t step = zp_superstep (v);
    if (step == 0) {
        /* Every edge between two vertices of the worker is one vertex's
           out-edge. Awake into superstep 1. */
        size_t out = zp_out_degree (v), in = zp_directed (v) ? zp_in_degree (v) : 0;
        s_link (v, zp_out_targets (v), out < 2 ? out : 2);
        uint64_t *hub = &s_at (v, zp_local_first (v))->hub,
                 mine = (uint64_t) (out + in) << 32 | self;
        uint64_t best = __atomic_load_n (hub, __ATOMIC_RELAXED);
        while (mine > best && !__atomic_compare_exchange_n (hub, &best, mine, true,
                                                            __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
        return;
    }
    if (step == 1) {
        /* The hub was found at superstep 0's end. */
        zp_handle_t hub = (zp_handle_t) s_at (v, zp_local_first (v))->hub;
        if (s_find (v, self) != s_find (v, hub)) {
            s_link (v, zp_out_targets (v), zp_out_degree (v));
            if (zp_directed (v))
                s_link (v, zp_in_sources (v), zp_in_degree (v));
        }
        return;
    }
    if (step == 2) {
        /* The trees stopped growing at superstep 1's end. */
        zp_handle_t root = s_find (v, self);
        if (root != self) {
            s->label = s_at (v, root)->label; /* written by nobody in this superstep */
            __atomic_store_n (&s->parent, root, __ATOMIC_RELAXED);
            if (!s_alone (v)) /* the list serves labels from other workers */
                s->next = __atomic_exchange_n (&s_at (v, root)->next, self, __ATOMIC_RELAXED);
        }
        s_send_across (v, s->label);
    } else if (zp_message_count (v) && zp_message_u64 (v, 0) < s->label) {
        uint64_t label = s->label = zp_message_u64 (v, 0);
        s_send_across (v, label);
        if (s->parent != self)
            zp_send_u64 (v, s->parent, label);
        else
            for (zp_handle_t m = s->next; m != S_NONE; m = s_at (v, m)->next)
                zp_send_u64 (v, m, label);
    }
    zp_vote_to_halt (v);
}

static zp_value_t s_result (const void *value)
{
    return (zp_value_t){.u64 = ((const s_vertex_t *) value)->label};
}

const zp_program_t zp_wcc_program = {
    .api_version = ZP_API_VERSION,
    .name = "wcc",
    .description = "weakly connected components, labelled by smallest id (LDBC Graphalytics)",
    .value_type = ZP_STRUCT,
    .message_type = ZP_U64,
    .combiner = ZP_COMBINE_MIN,
    .flags = ZP_NEEDS_IN_EDGES | ZP_THREAD_SAFE,
    .init = s_init,
    .compute = s_compute,
    .value_size = sizeof (s_vertex_t),
    .result_type = ZP_U64,
    .result = s_result,
};

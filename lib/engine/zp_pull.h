/*  zp_pull: a partition's out-edges turned around, for dense supersteps.

    Internal to the library. In a superstep where most of a worker's
    vertices send to their out-neighbours (PageRank's every superstep,
    the middle of a BFS), scattering each message into the combining
    array over |V| costs a random read-modify-write an edge. Pulling
    costs a random read an edge: each vertex that sends puts its one
    message in its own slot, and then, for every handle of the graph
    with in-neighbours on this worker, their messages are combined into
    its entry, in one pass over this index (as Ligra and Gemini run dense
    iterations). The entries are written in order, and threads take
    slices of the handles, so they need no arrays of their own.

    The index holds, for each handle of the whole graph that a local
    vertex has an edge to, the slots of those vertices, in the vertices'
    order: 4 bytes an out-edge of the partition and 8 bytes such a handle.
    Handles no local vertex sends to are left out: in a power-law graph
    that is about half of them (at R-MAT scale 20, 547,287 handles of
    1,048,576 have an in-edge), and a gather that passed over them all
    spent a fifth of its time on them (25-29 ms against 20-22 at scale 20,
    one thread, a throwaway program): the test of each for edges is a
    branch the processor cannot predict. The slots are ordered by
    out-degree (zp_pull_order): in a power-law graph a few vertices are
    most of the sources the gather reads, and with their slots side by
    side they stay in the cache. It is built with the partition, from
    its out-edges, on the worker's compute threads, into memory mapped
    with its pages in.
*/
#ifndef ZP_PULL_H
#define ZP_PULL_H

#include <stdint.h>

typedef struct zp_pool_s zp_pool_t;

typedef struct {
    uint64_t n_targets; /* handles of the graph */
    uint64_t n_handles; /* of them, those with an in-edge from a local vertex */
    uint64_t n_sources; /* in-edges: the partition's out-edges */
    uint32_t *handle;   /* n_handles, ascending */
    uint32_t *offset; /* n_handles + 1: handle[i]'s sources are source[offset[i] .. offset[i+1]) */
    uint32_t *source; /* slots of local vertices */
} zp_pull_t;

/* Gives local vertices [from, to) the slots [from, to), the vertices
   with more out-edges first (by powers of two of their out-degree, and in
   their order within each power): slot[v] is vertex v's. Slots stay
   within the range, so the threads that compute ranges of the vertices
   do not write the same cache lines. */
void zp_pull_order (uint32_t from, uint32_t to, const uint64_t *out_offset, uint32_t *slot);

/* Builds the index of the n local vertices' out-edges
   (out_offset, out_target, as in a partition; their slots in `slot`, or
   NULL for the vertices themselves) over n_targets handles, on
   the `lanes` lanes of `pool` (NULL: one), each over a range of the
   local vertices; fewer lanes when their counts (4 bytes a handle each,
   while it is built) would take more than half of what the sources do.
   `waiting` is the pool's, for the caller's ticks. 0, or -1 when memory
   runs out or the edges do not fit 32-bit offsets (the partition then
   goes on pushing). */
int zp_pull_build (zp_pull_t *self, uint32_t n, const uint64_t *out_offset,
                   const uint32_t *out_target, const uint32_t *slot, uint64_t n_targets,
                   zp_pool_t *pool, uint32_t lanes, void (*waiting) (void *), void *wait_arg);
void zp_pull_free (zp_pull_t *self);

/* Where slice `index` of `slices` begins in handle[]: slices with about
   the same number of edges, the last ending at n_handles. */
uint64_t zp_pull_slice (const zp_pull_t *self, uint32_t index, uint32_t slices);

#endif

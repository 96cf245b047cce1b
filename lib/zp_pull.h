/*  zp_pull: a partition's out-edges turned around, for dense supersteps.

    Internal to the library. In a superstep where most of a worker's
    vertices send to their out-neighbours (PageRank's every superstep,
    the middle of a BFS), scattering each message into the combining
    array over |V| costs a random read-modify-write an edge. Pulling
    costs a random read an edge: each vertex that sends puts its one
    message in its own slot, and then, for every handle of the graph, the
    messages of its in-neighbours on this worker are combined into its
    entry, in one pass over this index (as Ligra and Gemini run dense
    iterations). The entries are written in order, and threads take
    slices of the handles, so they need no arrays of their own.

    The index holds, for each handle of the whole graph, the slots of the
    local vertices with an edge to it, in the vertices' order: 4 bytes an
    out-edge of the partition and 4 bytes a handle of the graph. The slots
    are ordered by out-degree (zp_pull_order): in a power-law graph a few
    vertices are most of the sources the gather reads, and with their
    slots side by side they stay in the cache. It is built the first
    time a superstep is dense, from the partition's out-edges, on the
    worker's compute threads, into memory mapped with its pages in.
*/
#ifndef ZP_PULL_H
#define ZP_PULL_H

#include <stdint.h>

typedef struct zp_pool_s zp_pool_t;

typedef struct {
    uint64_t n_targets; /* handles of the graph */
    uint64_t n_sources; /* in-edges: the partition's out-edges */
    uint32_t *offset;   /* n_targets + 1: handle h's sources are source[offset[h] .. offset[h+1]) */
    uint32_t *source;   /* slots of local vertices */
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

/* The first handle of slice `index` of `slices`: slices with about the
   same number of edges, the last ending at n_targets. */
uint64_t zp_pull_slice (const zp_pull_t *self, uint32_t index, uint32_t slices);

#endif

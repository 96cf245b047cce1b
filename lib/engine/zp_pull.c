/*  zp_pull: a partition's out-edges turned around, for dense supersteps. */
#include "zp_pull.h"
#include "zp_pool.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The index's arrays are mapped with their pages in (MAP_POPULATE): one
   call instead of a fault a page, which on a virtual machine such as the
   one docs/PERFORMANCE.md measures on cost more than filling them.
   (Asking for huge pages as well, with MADV_POPULATE_WRITE, gained on one
   thread and lost on two at R-MAT scale 20, by as much as the host's
   noise: not kept.) Zeroed; NULL if memory ran out. */
static void *s_map (size_t bytes)
{
    bytes = bytes ? bytes : 1;
    void *p = mmap (NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                    -1, 0);
    return p == MAP_FAILED ? NULL : p;
}
static void s_unmap (void *p, size_t bytes)
{
    if (p)
        munmap (p, bytes ? bytes : 1);
}

/* One build. Each lane takes a range of the local vertices with about
   the same number of edges, and counts its edges a handle in an array of
   its own (lane 0's is the index's offsets). Turned into where each lane
   puts its sources for each handle (lane 0's first), the arrays let every
   lane place its sources without reading the others' edges: each
   handle's sources stay ascending, the same whatever the lanes. An
   earlier build gave each lane a range of the handles instead, and every
   lane read every edge to keep its own: at R-MAT scale 20 on 2 threads
   the counting took 85 ms, where one lane took 26, the test of each
   edge's handle being a branch the processor could not predict. */
typedef struct {
    zp_pull_t *x;
    uint32_t n, lanes;
    const uint64_t *out_offset;
    const uint32_t *out_target;
    const uint32_t *slot; /* NULL: the vertices */
    uint32_t **at;        /* per lane, n_targets + 1: its counts, then its places */
} s_build_t;

/* The first i below n whose edges start at or past `goal` (n if none),
   in offsets of 64 bits (`wide`) or 32, which ascend: the first vertex or
   handle of a share of the edges. */
static uint64_t s_first_at (const void *offset, bool wide, uint64_t n, uint64_t goal)
{
    uint64_t lo = 0, hi = n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint64_t at = wide ? ((const uint64_t *) offset)[mid] : ((const uint32_t *) offset)[mid];
        if (at < goal)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first of lane `lane`'s local vertices, which run up to the next
   lane's first. */
static uint32_t s_first (const s_build_t *b, uint32_t lane)
{
    if (lane >= b->lanes)
        return b->n;
    return (uint32_t) s_first_at (b->out_offset, true, b->n, b->out_offset[b->n] * lane / b->lanes);
}

/* at[lane][h + 1]: how many of the lane's edges go to handle h. */
static void s_count (void *arg, uint32_t lane)
{
    const s_build_t *b = arg;
    if (lane >= b->lanes)
        return;
    uint32_t *count = b->at[lane];
    uint64_t from = b->out_offset[s_first (b, lane)], to = b->out_offset[s_first (b, lane + 1)];
    for (uint64_t e = from; e < to; e++)
        count[b->out_target[e] + 1]++;
}

/* Each of the lane's sources at its next place for its handle. */
static void s_fill (void *arg, uint32_t lane)
{
    const s_build_t *b = arg;
    if (lane >= b->lanes)
        return;
    uint32_t *at = b->at[lane], *source = b->x->source;
    for (uint32_t u = s_first (b, lane), end = s_first (b, lane + 1); u < end; u++) {
        uint32_t slot = b->slot ? b->slot[u] : u;
        for (uint64_t e = b->out_offset[u]; e < b->out_offset[u + 1]; e++)
            source[at[b->out_target[e]]++] = slot;
    }
}

/* Which power of two an out-degree is in: 0 for none, up to 64. */
static unsigned s_power (uint64_t degree)
{
    return degree ? 64 - (unsigned) __builtin_clzll (degree) : 0;
}

/* A counting sort on the powers, highest first. At R-MAT scale 22 the
   gather over slots in this order took 150 ms where it took 250 over
   slots in the vertices' order (one thread, a throwaway program); at
   scale 20, 23 ms where it took 27. */
void zp_pull_order (uint32_t from, uint32_t to, const uint64_t *out_offset, uint32_t *slot)
{
    uint32_t first[65] = {0}; /* per power, from the highest: the first slot */
    for (uint32_t v = from; v < to; v++)
        first[64 - s_power (out_offset[v + 1] - out_offset[v])]++;
    uint32_t next = from;
    for (unsigned k = 0; k < 65; k++) {
        uint32_t count = first[k];
        first[k] = next;
        next += count;
    }
    for (uint32_t v = from; v < to; v++)
        slot[v] = first[64 - s_power (out_offset[v + 1] - out_offset[v])]++;
}

/* Leaves out the handles without sources: the offsets move down in
   place (the i-th handle with sources is at or past i), and the pages
   past what they still take are given back. */
static int s_compact (zp_pull_t *self, size_t offset_bytes)
{
    uint32_t *offset = self->offset;
    uint64_t k = 0;
    for (uint64_t h = 0; h < self->n_targets; h++)
        k += offset[h + 1] > offset[h];
    uint32_t *handle = s_map (k * sizeof *handle);
    if (!handle) {
        s_unmap (offset, offset_bytes);
        s_unmap (self->source, self->n_sources * sizeof (uint32_t));
        memset (self, 0, sizeof *self);
        return -1;
    }
    uint64_t i = 0;
    for (uint64_t h = 0; h < self->n_targets; h++)
        if (offset[h + 1] > offset[h]) {
            handle[i] = (uint32_t) h;
            offset[i++] = offset[h];
        }
    offset[k] = (uint32_t) self->n_sources;
    size_t page = (size_t) sysconf (_SC_PAGESIZE),
           kept = ((k + 1) * sizeof *offset + page - 1) / page * page;
    if (kept < offset_bytes)
        s_unmap ((uint8_t *) offset + kept, offset_bytes - kept);
    self->handle = handle;
    self->n_handles = k;
    return 0;
}

int zp_pull_build (zp_pull_t *self, uint32_t n, const uint64_t *out_offset,
                   const uint32_t *out_target, const uint32_t *slot, uint64_t n_targets,
                   zp_pool_t *pool, uint32_t lanes, void (*waiting) (void *), void *wait_arg)
{
    memset (self, 0, sizeof *self);
    uint64_t m = out_offset[n];
    if (m >= UINT32_MAX)
        return -1;
    /* Lanes past the first cost 4 bytes a handle each while it is built:
       no more lanes than take half of what the sources do. */
    uint64_t most = m / (2 * (n_targets + 1));
    lanes = pool && lanes ? lanes : 1;
    if (lanes > most)
        lanes = most > 1 ? (uint32_t) most : 1;
    size_t offset_bytes = (n_targets + 1) * sizeof (uint32_t), source_bytes = m * sizeof (uint32_t);
    uint32_t **at = calloc (lanes, sizeof *at);
    uint32_t *source = at ? s_map (source_bytes) : NULL;
    bool mapped = source != NULL;
    for (uint32_t l = 0; at && l < lanes; l++)
        mapped &= (at[l] = s_map (offset_bytes)) != NULL; /* zeroed */
    if (!mapped) {
        s_unmap (source, source_bytes);
        for (uint32_t l = 0; at && l < lanes; l++)
            s_unmap (at[l], offset_bytes);
        free (at);
        return -1;
    }
    *self = (zp_pull_t){.n_targets = n_targets, .n_sources = m, .offset = at[0], .source = source};
    s_build_t b = {self, n, lanes, out_offset, out_target, slot, at};
    zp_pool_run (pool, s_count, &b, waiting, wait_arg);
    /* Counts to places: handle h's sources begin where h - 1's end, each
       lane's after the lanes before it. */
    uint32_t begin = 0;
    for (uint64_t h = 0; h < n_targets; h++)
        for (uint32_t l = 0; l < lanes; l++) {
            uint32_t count = at[l][h + 1];
            at[l][h] = begin;
            begin += count;
        }
    zp_pool_run (pool, s_fill, &b, waiting, wait_arg);
    /* The last lane's places ended where each handle's sources end. */
    uint32_t *offset = at[0], *end = at[lanes - 1];
    for (uint64_t h = n_targets; h > 0; h--)
        offset[h] = end[h - 1];
    offset[0] = 0;
    for (uint32_t l = 1; l < lanes; l++)
        s_unmap (at[l], offset_bytes);
    free (at);
    return s_compact (self, offset_bytes);
}

void zp_pull_free (zp_pull_t *self)
{
    s_unmap (self->handle, self->n_handles * sizeof (uint32_t));
    s_unmap (self->offset, (self->n_handles + 1) * sizeof (uint32_t));
    s_unmap (self->source, self->n_sources * sizeof (uint32_t));
    memset (self, 0, sizeof *self);
}

uint64_t zp_pull_slice (const zp_pull_t *self, uint32_t index, uint32_t slices)
{
    if (index >= slices)
        return self->n_handles;
    uint64_t goal = (uint64_t) self->offset[self->n_handles] * index / slices;
    return s_first_at (self->offset, false, self->n_handles, goal);
}

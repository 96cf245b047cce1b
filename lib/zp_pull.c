/*  zp_pull: a partition's out-edges turned around, for dense supersteps. */
#include "zp_pull.h"
#include "zp_pool.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The index's arrays are mapped with their pages in (MAP_POPULATE): one
   call instead of a fault a page, which on a virtual machine such as the
   one docs/PERFORMANCE.md measures on cost more than filling them. */
static void *s_map (size_t bytes)
{
    void *p = mmap (NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                    -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* One build: each lane takes a range of the handles and scans every
   edge for those in it, so that lanes write apart and each handle's
   sources stay ascending. */
typedef struct {
    zp_pull_t *x;
    uint32_t n, lanes;
    const uint64_t *out_offset;
    const uint32_t *out_target;
} s_build_t;

static void s_range (const s_build_t *b, uint32_t lane, uint64_t *lo, uint64_t *hi)
{
    *lo = b->x->n_targets * lane / b->lanes;
    *hi = b->x->n_targets * (lane + 1) / b->lanes;
}

/* offset[h + 1]: how many sources handle h has. */
static void s_count (void *arg, uint32_t lane)
{
    const s_build_t *b = arg;
    uint64_t lo, hi;
    s_range (b, lane, &lo, &hi);
    uint32_t *offset = b->x->offset;
    for (uint64_t e = 0; e < b->x->n_sources; e++) {
        uint64_t t = b->out_target[e];
        if (t - lo < hi - lo)
            offset[t + 1]++;
    }
}

/* Each source at its handle's next place: offset[h] moves to where h's
   sources end, which is where h + 1's begin. */
static void s_fill (void *arg, uint32_t lane)
{
    const s_build_t *b = arg;
    uint64_t lo, hi;
    s_range (b, lane, &lo, &hi);
    uint32_t *offset = b->x->offset, *source = b->x->source;
    for (uint32_t u = 0; u < b->n; u++)
        for (uint64_t e = b->out_offset[u]; e < b->out_offset[u + 1]; e++) {
            uint64_t t = b->out_target[e];
            if (t - lo < hi - lo)
                source[offset[t]++] = u;
        }
}

int zp_pull_build (zp_pull_t *self, uint32_t n, const uint64_t *out_offset,
                   const uint32_t *out_target, uint64_t n_targets, zp_pool_t *pool, uint32_t lanes,
                   void (*waiting) (void *), void *wait_arg)
{
    memset (self, 0, sizeof *self);
    uint64_t m = out_offset[n];
    if (m >= UINT32_MAX)
        return -1;
    size_t offset_bytes = (n_targets + 1) * sizeof (uint32_t), source_bytes = (m ? m : 1) * 4;
    uint32_t *offset = s_map (offset_bytes); /* zeroed */
    uint32_t *source = s_map (source_bytes);
    if (!offset || !source) {
        if (offset)
            munmap (offset, offset_bytes);
        if (source)
            munmap (source, source_bytes);
        return -1;
    }
    *self = (zp_pull_t){n_targets, m, offset, source};
    s_build_t b = {self, n, lanes ? lanes : 1, out_offset, out_target};
    zp_pool_run (pool, s_count, &b, waiting, wait_arg);
    for (uint64_t h = 0; h < n_targets; h++)
        offset[h + 1] += offset[h];
    zp_pool_run (pool, s_fill, &b, waiting, wait_arg);
    for (uint64_t h = n_targets; h > 0; h--)
        offset[h] = offset[h - 1];
    offset[0] = 0;
    return 0;
}

void zp_pull_free (zp_pull_t *self)
{
    if (self->offset)
        munmap (self->offset, (self->n_targets + 1) * sizeof (uint32_t));
    if (self->source)
        munmap (self->source, (self->n_sources ? self->n_sources : 1) * sizeof (uint32_t));
    memset (self, 0, sizeof *self);
}

uint64_t zp_pull_slice (const zp_pull_t *self, uint32_t index, uint32_t slices)
{
    if (index >= slices)
        return self->n_targets;
    uint64_t goal = (uint64_t) self->offset[self->n_targets] * index / slices;
    /* The first handle whose edges start at or past the goal. */
    uint64_t lo = 0, hi = self->n_targets;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (self->offset[mid] < goal)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

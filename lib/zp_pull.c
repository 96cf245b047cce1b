/*  zp_pull: a partition's out-edges turned around, for dense supersteps. */
#include "zp_pull.h"

#include <stdlib.h>
#include <string.h>

int zp_pull_build (zp_pull_t *self, uint32_t n, const uint64_t *out_offset,
                   const uint32_t *out_target, uint64_t n_targets)
{
    memset (self, 0, sizeof *self);
    uint64_t m = out_offset[n];
    if (m >= UINT32_MAX)
        return -1;
    uint32_t *offset = calloc (n_targets + 1, sizeof *offset);
    uint32_t *source = malloc ((m ? m : 1) * sizeof *source);
    if (!offset || !source) {
        free (offset);
        free (source);
        return -1;
    }
    /* Counts per handle, then each count's start, then the sources in
       ascending order, moving each start to its end and back. */
    for (uint64_t e = 0; e < m; e++)
        offset[out_target[e] + 1]++;
    for (uint64_t h = 0; h < n_targets; h++)
        offset[h + 1] += offset[h];
    for (uint32_t u = 0; u < n; u++)
        for (uint64_t e = out_offset[u]; e < out_offset[u + 1]; e++)
            source[offset[out_target[e]]++] = u;
    for (uint64_t h = n_targets; h > 0; h--)
        offset[h] = offset[h - 1];
    offset[0] = 0;
    self->n_targets = n_targets;
    self->offset = offset;
    self->source = source;
    return 0;
}

void zp_pull_free (zp_pull_t *self)
{
    free (self->offset);
    free (self->source);
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

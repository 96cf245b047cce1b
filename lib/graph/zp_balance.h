/*  zp_balance: putting items into bins, the one interface behind placement.

    Placement uses it twice: vertices into partitions (items are vertices,
    keyed by their id), then partitions onto workers (items are partitions,
    keyed by their number). Each item has a size (1, or its edge count when
    balancing by edges) and each bin a weight (a worker's `weight:`, or 1).

      hash         jump consistent hash of a 64-bit mix of the key: no state,
                   and growing from n to n+1 bins moves about 1/(n+1) of the items
      round_robin  item i goes to bin i mod n
      weighted     items in order, each to the bin whose load after taking it,
                   divided by its weight, is smallest: bin shares follow the weights
      range        contiguous runs of items, cut where the running size crosses
                   each bin's share of the total: keeps neighbouring ids together

    Every balancer is deterministic: the same input gives the same bins.
*/
#ifndef ZP_BALANCE_H
#define ZP_BALANCE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    ZP_BALANCE_HASH = 0,
    ZP_BALANCE_ROUND_ROBIN = 1,
    ZP_BALANCE_WEIGHTED = 2,
    ZP_BALANCE_RANGE = 3,
} zp_balancer_t;

/* The balancer called `name`, or -1. */
int zp_balancer_from_name (const char *name);
const char *zp_balancer_name (zp_balancer_t kind);

/* Puts n items into n_bins bins: bin[i] for item i. keys: n item keys (used
   by hash); sizes: n sizes, or NULL for all 1; weights: n_bins weights, or
   NULL for all 1. Returns 0, or -1 if memory ran out. */
int zp_balance (zp_balancer_t kind, const uint64_t *keys, const double *sizes, size_t n,
                const double *weights, uint32_t n_bins, uint32_t *bin);

/* 64-bit mix of a key (splitmix64's finaliser). */
uint64_t zp_mix64 (uint64_t x);
/* Jump consistent hash (Lamping and Veach): a bucket in [0, buckets) for key. */
uint32_t zp_jump_hash (uint64_t key, uint32_t buckets);

#endif

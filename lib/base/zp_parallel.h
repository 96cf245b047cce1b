/*  zp_parallel: one pass of work split over threads started for it.

    Internal to the library. For the one-off passes of loading and placing
    a graph (parsing an edge file's shares, building in-edges, slicing a
    worker's partition), where no pool of threads exists yet: the first
    item runs on the calling thread, each other on a thread of its own (on
    the calling thread too when one cannot be started, so the work is done
    either way).
*/
#ifndef ZP_PARALLEL_H
#define ZP_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

/* The most items zp_parallel runs at once. */
#define ZP_PARALLEL_MAX 64

/* Runs fn on each of n items (`stride` bytes apart, n <= ZP_PARALLEL_MAX)
   and returns when all are done. */
void zp_parallel (void *(*fn) (void *), void *items, size_t stride, size_t n);

/* How many threads a pass over `work` units should use: one per CPU this
   process may use, at most ZP_PARALLEL_MAX, and none that would get fewer
   than `min_share` units. */
uint32_t zp_parallel_threads (uint64_t work, uint64_t min_share);

#endif

/*  zp_parallel: one pass of work split over threads started for it. */
#include "zp_parallel.h"
#include "zp_process.h"

#include <pthread.h>
#include <stdbool.h>

void zp_parallel (void *(*fn) (void *), void *items, size_t stride, size_t n)
{
    pthread_t threads[ZP_PARALLEL_MAX];
    bool started[ZP_PARALLEL_MAX] = {false};
    if (n > ZP_PARALLEL_MAX)
        n = ZP_PARALLEL_MAX;
    for (size_t k = 1; k < n; k++)
        started[k] = pthread_create (&threads[k], NULL, fn, (char *) items + k * stride) == 0;
    if (n)
        fn (items);
    for (size_t k = 1; k < n; k++) {
        if (started[k])
            pthread_join (threads[k], NULL);
        else
            fn ((char *) items + k * stride);
    }
}

uint32_t zp_parallel_threads (uint64_t work, uint64_t min_share)
{
    uint64_t t = zp_process_cpus ();
    if (min_share && t > work / min_share)
        t = work / min_share;
    if (t > ZP_PARALLEL_MAX)
        t = ZP_PARALLEL_MAX;
    return t ? (uint32_t) t : 1;
}

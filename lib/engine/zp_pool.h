/*  zp_pool: the threads a worker computes its partition with.

    Internal to the library. A pool of `size` lanes: lane 0 is the thread
    that calls zp_pool_run, lanes 1.. are threads the pool owns for its
    whole life. A run hands every lane the same function with its own lane
    number and returns when all are done. While the caller waits for the
    other lanes it calls `waiting` every ZP_TICK_MS, so the node it belongs
    to keeps its heartbeats and ACKs going however long a lane takes.

    The pool's threads block every asynchronous signal (they are the
    node's to handle), call `on_start` once before their first run and
    `on_stop` as they end: zp_partition watches them for a crash in the
    program with these.
*/
#ifndef ZP_POOL_H
#define ZP_POOL_H

#include <stdint.h>

typedef struct zp_pool_s zp_pool_t;
typedef void (zp_pool_fn) (void *arg, uint32_t lane);

/* A pool of `size` lanes (size - 1 threads), or NULL if a thread cannot
   be started. */
zp_pool_t *zp_pool_new (uint32_t size, void (*on_start) (void *), void (*on_stop) (void *),
                        void *arg);
void zp_pool_destroy (zp_pool_t **self_p);

/* Runs fn(arg, lane) on every lane, lane 0 on the calling thread. */
void zp_pool_run (zp_pool_t *self, zp_pool_fn *fn, void *arg, void (*waiting) (void *),
                  void *wait_arg);

#endif

/*  zp_layout: where every vertex lives, and what each worker is sent.

    Placement is two steps, so that partitions (not vertices) are the unit
    that moves when workers come and go:
      vertex -> partition   a 64-bit mix of the vertex id, modulo the partition count
      partition -> worker   jump consistent hash (Lamping & Veach), so that going
                            from n to n+1 workers moves about 1/(n+1) of the partitions
    Handles are then numbered worker by worker (partition by partition inside
    a worker, ascending id inside a partition), so each worker owns one
    contiguous range of handles and a handle's owner is a range lookup.
*/
#ifndef ZP_LAYOUT_H
#define ZP_LAYOUT_H

#include "zp_cbor.h"
#include "zp_control.h"
#include "zp_graph.h"

typedef struct {
    uint32_t n_workers;
    uint32_t n_partitions;
    uint64_t n;
    uint32_t *handle_of; /* n: handle of vertex index i */
    uint32_t *index_of;  /* n: vertex index of handle h */
    uint32_t *ranges;    /* n_workers+1 */
    uint64_t *edges_of;  /* n_workers: out-arcs owned by each worker */
} zp_layout_t;

/* 64-bit mix of a vertex id (the partition of id is zp_mix64(id) % partitions). */
uint64_t zp_mix64 (uint64_t x);
/* Jump consistent hash: a bucket in [0, buckets) for key. */
uint32_t zp_jump_hash (uint64_t key, uint32_t buckets);

/* Places the vertices of `g` on `n_workers` workers in `n_partitions` partitions. */
zp_layout_t *zp_layout_new (const zp_graph_t *g, uint32_t n_workers, uint32_t n_partitions);
void zp_layout_destroy (zp_layout_t **self_p);

/* Encodes the ASSIGN for worker `w` into `out`. `base` supplies the fields
   that do not depend on the worker (job, program, params, peers, settings);
   in-edges are included if the graph has them built. 0 or -1 (ENOMEM). */
int zp_layout_encode_assign (const zp_layout_t *self, const zp_graph_t *g, uint32_t w,
                             const zp_assign_t *base, zp_cbor_writer_t *out);

#endif

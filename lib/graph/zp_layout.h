/*  zp_layout: where every vertex lives, and what each worker is sent.

    Placement is two steps, so that partitions (not vertices) are the unit
    that moves when workers come and go; each step uses a balancer
    (zp_balance.h: hash, round_robin, weighted, range):
      vertex -> partition   placement.vertices, sizes 1 or (balance: edges) out-degree + 1
      partition -> worker   placement.workers, sizes the partitions' totals,
                            weights the workers' `weight:`
    Handles are then numbered worker by worker (partition by partition inside
    a worker, ascending id inside a partition), so each worker owns one
    contiguous range of handles and a handle's owner is a range lookup.
*/
#ifndef ZP_LAYOUT_H
#define ZP_LAYOUT_H

#include "zp_balance.h"
#include "zp_cbor.h"
#include "zp_control.h"
#include "zp_graph.h"
#include "zp_traffic.h"

typedef struct {
    zp_balancer_t vertices;    /* vertex -> partition */
    zp_balancer_t workers;     /* partition -> worker */
    bool by_edges;             /* size an item by its edges (out-degree + 1), not as 1 */
    const double *weights;     /* n_workers weights, or NULL */
    const uint32_t *worker_of; /* n_partitions workers given (a checkpoint's), or NULL: balance */
} zp_placement_t;

typedef struct {
    uint32_t n_workers;
    uint32_t n_partitions;
    uint64_t n;
    uint32_t *handle_of;    /* n: handle of vertex index i */
    uint32_t *index_of;     /* n: vertex index of handle h */
    uint32_t *ranges;       /* n_workers+1 */
    uint64_t *edges_of;     /* n_workers: out-arcs owned by each worker */
    uint32_t *partition_of; /* n: partition of vertex index i */
    uint32_t *worker_of;    /* n_partitions: worker of each partition */
    zp_balancer_t vertices; /* how vertices were put into partitions, and */
    bool by_edges;          /* sized: enough, with worker_of, to place them again */
} zp_layout_t;

/* Places the vertices of `g` on `n_workers` workers in `n_partitions`
   partitions as `how` says (NULL: hash at both steps). NULL if memory ran
   out, or if how->worker_of names a worker >= n_workers. */
zp_layout_t *zp_layout_new (const zp_graph_t *g, uint32_t n_workers, uint32_t n_partitions,
                            const zp_placement_t *how);
/* The layout after the workers marked in `lost` (old->n_workers flags) are
   gone: the survivors keep their partitions and are numbered again in their
   order (worker 2 of 0..3 lost: 3 becomes 2); the lost workers' partitions
   are placed on the survivors by `how->workers`, sized as zp_layout_new
   sizes them, with the survivors' weights (how->weights has the old
   workers' weights). Only the lost partitions move. NULL if no worker
   survives or memory ran out. */
zp_layout_t *zp_layout_without (const zp_layout_t *old, const zp_graph_t *g, const bool *lost,
                                const zp_placement_t *how);
void zp_layout_destroy (zp_layout_t **self_p);

/* The traffic a program that sends one combined message along every
   out-edge (as PageRank does) would make in a superstep: messages from
   worker i to worker j = the distinct vertices of j that i's vertices point
   at; bytes = messages x bytes_per_message. And what combining at a
   router can leave: m->reached, and with `group_of` (n_workers entries,
   a group below n_groups or n_groups for none; NULL: no groups),
   m->group_reached (zp_traffic.h). For planning before a run. */
int zp_layout_estimate_traffic (const zp_layout_t *self, const zp_graph_t *g,
                                double bytes_per_message, const uint32_t *group_of,
                                uint32_t n_groups, zp_traffic_matrix_t *m);

/* Encodes the ASSIGN for worker `w` into `out`. `base` supplies the fields
   that do not depend on the worker (job, program, params, peers, settings);
   in-edges are included if the graph has them built. 0 or -1 (ENOMEM). */
int zp_layout_encode_assign (const zp_layout_t *self, const zp_graph_t *g, uint32_t w,
                             const zp_assign_t *base, zp_cbor_writer_t *out);

#endif

/*  zp_mirror: the neighbours' values a worker's vertices read in place
    (ZP_READS_NEIGHBOURS, zp_out_value_* and zp_in_value_*).

    Internal to lib/engine. Each worker keeps a view: one value a handle
    of the graph, holding for every neighbour of its vertices the value it
    had when the last superstep ended. Its own vertices' entries it
    copies from their values after compute; the others are mirrors,
    refreshed by their owners: after each compute a worker sends each
    vertex whose value changed to every worker that has a vertex with an
    edge to or from it, in batches flagged ZP_BATCH_MIRROR, which travel
    and are ACKed as messages are, so the barrier covers them, and are
    written into the view before the next compute (zp_partition_deliver).
    The view is read, never written, during compute, so the threads of a
    worker read it as they like.

    Cost: 8 bytes a handle of the graph on each worker (an index by
    handle: no lookup an edge, as the pull's combining arrays), 4 bytes
    for each (vertex, worker that reads it), 4 bytes each remote handle
    read here (what a checkpoint keeps of the view), and on the wire 16
    bytes for each changed value per worker that reads it, never per edge.
*/
#ifndef ZP_MIRROR_H
#define ZP_MIRROR_H

#include "zp_batch.h"
#include "zp_box.h"

typedef struct zp_partition_s zp_partition_t;

typedef struct {
    zp_value_t *view; /* |V| by handle, or NULL: the program reads no neighbour */
    uint32_t *to_off; /* n + 1: local vertex v goes to the workers to[to_off[v] .. to_off[v+1]) */
    uint32_t *to;
    uint32_t *in; /* the remote handles read here, ascending */
    size_t n_in;
    zp_box_t *box; /* per worker: values on their way */
    uint64_t sent; /* values sent after the last compute */
} zp_mirror_t;

/* Builds the lists from the partition's out- and in-edges and the view,
   if the program reads neighbours. 0, or -1 when memory ran out. */
int zp_mirror_build (zp_partition_t *p);
void zp_mirror_free (zp_partition_t *p);

/* Checks a ZP_BATCH_MIRROR batch: from a worker, of the value type,
   each handle the sender's own. 0 or a negative zp_frame_err_t. */
int zp_mirror_check (const zp_partition_t *p, const zp_batch_view_t *view);
/* Writes a checked mirror batch into the view. */
void zp_mirror_deliver (zp_partition_t *p, const zp_batch_view_t *view);
/* After a compute: copies the values that changed (all of them after
   superstep 0) into the view and sends them to the workers that read
   them. 0, or -1 when a flush failed or memory ran out. */
int zp_mirror_send (zp_partition_t *p);
/* After a restore: the view's own entries from the restored values. */
void zp_mirror_restored (zp_partition_t *p);

#endif

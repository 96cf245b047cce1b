/*  zp_gen: graph generators for benchmarks.

    R-MAT as in Graph500: each of edge_factor x 2^scale edges picks, at each
    of `scale` levels, one quadrant of the adjacency matrix with
    probabilities a = 0.57, b = 0.19, c = 0.19, d = 0.05. Vertex ids are then
    permuted at random (so that ids say nothing of degree), self-loops and
    repeated edges are removed, and the graph is kept directed. The result
    is written as an LDBC Graphalytics dataset (PREFIX.v, PREFIX.e,
    PREFIX.properties) and as a zpregel binary graph (PREFIX.zpg), which
    job.graph also takes and which loads in a fraction of the time.
*/
#ifndef ZP_GEN_H
#define ZP_GEN_H

#include "zp_graph.h"

/* Generates an R-MAT graph (see above) into a new zp_graph_t. NULL with a
   message on error. */
zp_graph_t *zp_gen_rmat (uint32_t scale, uint32_t edge_factor, uint64_t seed, char *err,
                         size_t errlen);

/* Gives every edge of g a weight k / 65536, k in 1..65536, drawn from
   `seed` and the edge's ends (so the same graph and seed give the same
   weights): non-negative and exact in decimal, for SSSP. 0, or -1 with
   a message. */
int zp_gen_weigh (zp_graph_t *g, uint64_t seed, char *err, size_t errlen);

/* Writes PREFIX.v, PREFIX.e (with a weight column when g is weighted),
   PREFIX.properties and PREFIX.zpg. 0, or -1 with a message. */
int zp_gen_write (const zp_graph_t *g, const char *prefix, char *err, size_t errlen);

#endif

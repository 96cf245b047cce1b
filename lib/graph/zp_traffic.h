/*  zp_traffic: who sent how much to whom, per superstep.

    The master keeps it from the workers' DONE; `--stats` writes it after
    each superstep as one JSON line

        {"traffic":true,"step":3,"workers":4,"pairs":[[0,1,2511,40176],...]}

    listing the non-zero (sender, receiver, messages, bytes) of that
    superstep; the route planner reads such lines back (zpregel plan
    --traffic) and averages them. A synthetic generator makes power-law
    matrices for clusters one does not have.
*/
#ifndef ZP_TRAFFIC_H
#define ZP_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The diagonal holds messages a worker sent to its own vertices (no bytes:
   they never leave it). */
typedef struct {
    uint32_t n;
    const uint64_t *messages; /* n x n, row = sender */
    const uint64_t *bytes;    /* n x n */
} zp_traffic_t;

/* An owned matrix of averages, as read from a file or generated. */
typedef struct {
    uint32_t n;
    double *messages; /* n x n per superstep */
    double *bytes;
    uint32_t steps; /* how many supersteps were averaged */
    /* What a router's combining can leave, when the matrix was estimated
       from the graph (else NULL): reached[j], the vertices of worker j
       that a vertex of another worker points at; with groups of senders
       (racks), group_of[i] (n_groups when in none) and group_reached[g x n
       + j], those that a vertex of group g (not j's) points at. */
    double *reached;
    uint32_t n_groups;
    uint32_t *group_of;
    double *group_reached;
    /* Read from a --stats file (zp_traffic_read): the mean superstep, and
       the mean of its slowest worker's compute, in seconds, over the
       supersteps whose traffic is averaged above; NAN when it has none. */
    double measured_seconds;
    double measured_compute;
} zp_traffic_matrix_t;

/* Writes one traffic line for superstep `step`. */
void zp_traffic_write (FILE *out, uint32_t step, const zp_traffic_t *traffic);

/* Reads every traffic line of a --stats file and averages them, and the
   supersteps' times (measured_*; other lines are skipped). 0, or -1 with
   "file:line: ..." in err. */
int zp_traffic_read (const char *path, zp_traffic_matrix_t *m, char *err, size_t errlen);

/* A synthetic power-law matrix: n workers; worker i's activity and
   popularity follow Zipf laws with exponent alpha (over a seeded random
   order), each sends to `fanout` receivers drawn by popularity, `total`
   messages a superstep in all, `bytes_per_message` each. */
int zp_traffic_generate (uint32_t n, double alpha, uint32_t fanout, double total,
                         double bytes_per_message, uint64_t seed, zp_traffic_matrix_t *m);

/* Writes a matrix as one traffic line (step 0), for files made by the generator. */
void zp_traffic_write_matrix (FILE *out, const zp_traffic_matrix_t *m);

/* Moves what `from` bounds a router's combining by (reached, the
   groups) into `to`: a measured matrix planned with the graph's bounds. */
void zp_traffic_take_bounds (zp_traffic_matrix_t *to, zp_traffic_matrix_t *from);

void zp_traffic_free (zp_traffic_matrix_t *m);

#endif

/*  The yardstick: a single-threaded CSR PageRank with the LDBC Graphalytics
    semantics (1/|V| start, sink mass spread over every vertex, exactly
    `iterations` iterations), written as one would by hand: a push loop over
    the out-edges into a dense array.

        pagerank_ref GRAPH ITERATIONS OUTPUT

    prints one JSON line: load seconds, and the seconds of each iteration.
*/
#include "zp_graph.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>

int main (int argc, char **argv)
{
    if (argc != 4) {
        fprintf (stderr, "usage: pagerank_ref GRAPH ITERATIONS OUTPUT\n");
        return 2;
    }
    int iterations = atoi (argv[2]);
    char err[1024];
    int64_t t0 = zclock_usecs ();
    zp_graph_source_t src = {argv[1], ZP_FORMAT_AUTO, 1, NULL, false};
    zp_graph_t *g = zp_graph_load (&src, NULL, err, sizeof err);
    if (!g) {
        fprintf (stderr, "pagerank_ref: %s\n", err);
        return 1;
    }
    double load = (double) (zclock_usecs () - t0) / 1e6;
    uint64_t n = g->n;
    double d = 0.85, *rank = malloc (n * sizeof *rank), *next = malloc (n * sizeof *next);
    if (!rank || !next)
        return 1;
    for (uint64_t v = 0; v < n; v++)
        rank[v] = 1.0 / (double) n;
    printf ("{\"load_seconds\":%.6f,\"iterations\":[", load);
    for (int it = 0; it < iterations; it++) {
        int64_t start = zclock_usecs ();
        double sinks = 0;
        for (uint64_t v = 0; v < n; v++)
            next[v] = 0;
        for (uint64_t u = 0; u < n; u++) {
            uint64_t lo = g->offsets[u], hi = g->offsets[u + 1];
            if (lo == hi) {
                sinks += rank[u];
                continue;
            }
            double share = rank[u] / (double) (hi - lo);
            for (uint64_t e = lo; e < hi; e++)
                next[g->targets[e]] += share;
        }
        double base = (1.0 - d) / (double) n + d * sinks / (double) n;
        for (uint64_t v = 0; v < n; v++)
            rank[v] = base + d * next[v];
        printf ("%s%.6f", it ? "," : "", (double) (zclock_usecs () - start) / 1e6);
    }
    printf ("]}\n");
    zp_value_t *values = malloc (n * sizeof *values);
    for (uint64_t v = 0; values && v < n; v++)
        values[v].f64 = rank[v];
    int rc =
        values && zp_graph_write_values (g, values, ZP_F64, argv[3], err, sizeof err) == 0 ? 0 : 1;
    if (rc)
        fprintf (stderr, "pagerank_ref: %s\n", err);
    free (values);
    free (rank);
    free (next);
    zp_graph_destroy (&g);
    return rc;
}

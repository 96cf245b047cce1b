/*  zp_graph: a whole graph in memory, as the master loads it.

    Vertices are numbered 0..n-1 in ascending order of their ids from the
    input (any uint64, gaps allowed). Out-arcs are stored as CSR: the arcs of
    vertex i are targets[offsets[i] .. offsets[i+1]), ascending, with their
    weights when the graph is weighted. An undirected edge is stored as two
    arcs. Self-loops and repeated edges are dropped (LDBC Graphalytics graphs
    have neither; SNAP files sometimes do) and counted.

    The master splits this graph into partitions for its workers; a worker
    never holds a zp_graph_t.
*/
#ifndef ZP_GRAPH_H
#define ZP_GRAPH_H

#include "zpregel/zp_config.h"
#include "zp_properties.h"
#include "zpregel/zp_types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t n;     /* vertices */
    uint64_t m;     /* arcs stored (an undirected edge counts twice) */
    uint64_t edges; /* edges kept, as the input counts them */
    uint64_t dropped_self_loops;
    uint64_t dropped_duplicates;
    bool directed;
    uint64_t *ids;         /* n original ids, ascending */
    uint64_t *offsets;     /* n+1 */
    uint32_t *targets;     /* m vertex indexes */
    double *weights;       /* m weights, or NULL */
    double *vertex_values; /* n input values (the .v file's second column), or NULL */
    uint64_t *in_offsets;  /* after zp_graph_build_in_edges: n+1 */
    uint32_t *in_sources;  /* m sources, ascending per vertex */
    uint64_t dropped;      /* after zp_graph_drop_edges: a digest of what it dropped, else 0 */
    /* A CSV edge list with names for vertices: vertex i (id i) is named
       names + name_at[i] (NUL-terminated); NULL when the ids are numbers */
    char *names;
    uint64_t *name_at; /* n + 1 */
} zp_graph_t;

/* How a CSV or TSV edge list is read (job.csv). Each field may be quoted
   ("a, b", with "" for a quote), as RFC 4180 has it. */
typedef struct {
    char delimiter;     /* 0: ',' (a file whose name ends in .tsv: tab) */
    int header;         /* 1: the first line names the columns; 0: none; -1: 1 */
    const char *source; /* a column: its name in the header, or its number from 1; NULL: 1 */
    const char *target; /* NULL: 2 */
    const char *weight; /* NULL: no weight column */
} zp_csv_t;

/* How to read the input. */
typedef struct {
    const char *path;            /* .properties (Graphalytics) or an edge list (SNAP) */
    zp_format_t format;          /* AUTO: Graphalytics if the path ends in .properties */
    int directed;                /* SNAP: 1/0; -1 = directed. Graphalytics: from the file */
    const char *weight_property; /* Graphalytics: load this edge property as the weight; binary
                                    (.zpg): load its weights; NULL: no weights */
    bool vertex_values;          /* Graphalytics: read a value after each id in the .v file */
    /* Graphalytics: the threads that parse the edge file; 0 for one per
       CPU the process may use, for each 8 MB of the file */
    uint32_t load_threads;
    /* CSV: how to read it, or NULL for the defaults. Ids that are all
       unsigned integers are kept; any other vertex ids are names, numbered
       0..n-1 in the order they first appear, and kept in names. Weights
       are loaded when weight_property is set: then csv->weight must name
       the column. */
    const zp_csv_t *csv;
} zp_graph_source_t;

/* The name of vertex index i, or NULL when the graph has none. */
const char *zp_graph_name (const zp_graph_t *self, uint64_t i);
/* The index of the vertex named `name`, or -1 (a scan: for parameters). */
int64_t zp_graph_find_name (const zp_graph_t *self, const char *name);

/* Writes the graph in zpregel's binary format (a CSR: see lib/graph/zp_graph.c),
   which loads with one mapping and no parsing. 0, or -1 with a message. */
int zp_graph_write_binary (const zp_graph_t *self, const char *path, char *err, size_t errlen);

/* Loads a graph. For Graphalytics input, *props_p (if not NULL) receives the
   dataset's properties (the caller destroys them). NULL with a message naming
   the file and line on any error. */
/* The format of the file at `path`: `format`, or with ZP_FORMAT_AUTO,
   by its name (.properties Graphalytics, .zpg binary, .csv and .tsv CSV,
   else SNAP). */
zp_format_t zp_graph_format (const char *path, zp_format_t format);
zp_graph_t *zp_graph_load (const zp_graph_source_t *source, zp_properties_t **props_p, char *err,
                           size_t errlen);
void zp_graph_destroy (zp_graph_t **self_p);

/* Builds the in-arc CSR (in_offsets, in_sources). For an undirected graph the
   in-arcs are the out-arcs, and the arrays are shared. Returns 0 or -1 (ENOMEM). */
int zp_graph_build_in_edges (zp_graph_t *self);

/* Frees the edges and the input values (offsets, targets, weights,
   in-edges, vertex_values), keeping n, m, the ids and a digest of the
   rest: a master needs them only to ship the partitions, and again after
   a recovery, when zp_graph_reload_edges reads them again. */
void zp_graph_drop_edges (zp_graph_t *self);
/* Loads `source` again and takes back its edges (and its in-edges, with
   `in_edges`), after checking that they are the ones dropped. 0 (also when
   nothing was dropped), or -1 with a message naming the file. */
int zp_graph_reload_edges (zp_graph_t *self, const zp_graph_source_t *source, bool in_edges,
                           char *err, size_t errlen);

/* Index of vertex `id`, or -1. */
int64_t zp_graph_index (const zp_graph_t *self, uint64_t id);

/* Writes `id value` lines, one per vertex in ascending id order, in the
   Graphalytics output format: integers in decimal, doubles as %.15e, and
   +infinity as "infinity". values[i] belongs to vertex index i. */
int zp_graph_write_values (const zp_graph_t *self, const zp_value_t *values, zp_type_t type,
                           const char *path, char *err, size_t errlen);

/* The same with a program's own columns: `values` has `words` 64-bit
   words per vertex, and format() writes the columns after the id. */
int zp_graph_write_formatted (const zp_graph_t *self, const zp_value_t *values, size_t words,
                              int (*format) (const void *value, char *buf, size_t len),
                              const char *path, char *err, size_t errlen);

/* Formats one value as the output does; returns the length written. */
int zp_format_value (char *buf, size_t len, zp_value_t value, zp_type_t type);
/* `value` in decimal, after a '-' if `negative`, as snprintf would write
   it: the length, which is >= len when it did not fit. */
int zp_format_u64 (char *buf, size_t len, uint64_t value, bool negative);

#endif

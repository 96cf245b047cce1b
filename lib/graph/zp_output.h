/*  zp_output: a job's result on disk, one vertex a line, in the format the
    job asks for (job.output_format): the Graphalytics "id value" text, CSV
    with a header, or JSON lines; with each vertex's name when the job has a
    names file (job.labels: "id name" lines, as data/debian-deps.names).

    Text output never carries names: it is what the LDBC validators read.
    CSV follows RFC 4180 (a field with a comma, a quote or a line break is
    quoted, quotes doubled); JSON values are numbers where the value is one
    (infinity and a program's own columns are strings).
*/
#ifndef ZP_OUTPUT_H
#define ZP_OUTPUT_H

#include "zp_graph.h"

/* Vertex names by id, sorted by id. */
typedef struct {
    uint64_t id;
    char *name;
} zp_named_t;
typedef struct {
    zp_named_t *items;
    size_t n;
} zp_names_t;

/* Reads a names file: "id name" lines (the name is the rest of the line;
   blank lines and lines starting with '#' are skipped). 0, or -1 with
   "FILE:LINE: ..." in err. */
int zp_names_load (zp_names_t *self, const char *path, char *err, size_t errlen);
/* The name of `id`, or NULL. */
const char *zp_names_find (const zp_names_t *self, uint64_t id);
void zp_names_free (zp_names_t *self);

typedef struct {
    zp_output_format_t format; /* TEXT when AUTO */
    const zp_names_t *names;   /* NULL: no name column */
    size_t words;              /* 64-bit words a value (1 but for struct values) */
    zp_type_t type;            /* of a one-word value */
    int (*columns) (const void *value, char *buf, size_t len); /* a program's format(), or NULL */
} zp_output_t;

/* Writes values[i * words] for every vertex index i of `g`, in ascending
   id order, to `path`. 0, or -1 with a message naming the path. */
int zp_output_write (const zp_graph_t *g, const zp_value_t *values, const zp_output_t *how,
                     const char *path, char *err, size_t errlen);

#endif

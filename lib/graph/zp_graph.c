/*  zp_graph: loading LDBC Graphalytics and SNAP graphs into a CSR.

    Files are mapped into memory and scanned with a hand-rolled number parser:
    a scanf-style loop would spend most of its time in the C library, and a
    loader has to read hundreds of MB/s. Every malformed line stops the load
    with "file:line: what was expected".

    Ids become indexes through s_idmap: a direct table when the ids are dense
    enough (the common case: ids 0..n-1 or 1..n), an open-addressing hash table
    otherwise.

    A Graphalytics edge file is parsed on every CPU the process may use:
    the mapping is cut into shares at line starts, a thread parses each into
    an edge list of its own, and the lists are read in file order, so the
    graph is the one a single pass builds, and an error is the first in the
    file, on its line.

    The CSR is built in one counting pass and one filling pass; adjacency lists
    are then sorted (only those that are not sorted already) so repeated
    edges can be dropped in the same sweep.
*/
#include "zp_graph.h"
#include "zp_grow.h"
#include "zp_output.h"
#include "zp_parallel.h"
#include "zp_process.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A mapped input file and a cursor over its lines. */
typedef struct {
    const char *path;
    const char *data;
    size_t size;
    const char *p, *end;
    const char *line_start; /* for error messages */
    size_t line;
    const char *released; /* pages before it were given back (s_release) */
} s_file_t;

/* How far the scan gets before the pages behind it are given back. */
#define S_RELEASE_BYTES (16u << 20)

/* Gives back the mapped pages the scan has left behind: a mapped file's
   pages count in the process's resident memory for as long as they stay
   mapped, and a graph file is as large as the graph built from it. A
   second pass reads them from the file again. */
static void s_release (s_file_t *f)
{
    size_t page = (size_t) sysconf (_SC_PAGESIZE);
    const char *upto = f->data + ((size_t) (f->p - f->data) / page) * page;
    if (upto > f->released) {
        madvise ((void *) f->released, (size_t) (upto - f->released), MADV_DONTNEED);
        f->released = upto;
    }
}

static int s_open (s_file_t *f, const char *path, char *err, size_t errlen)
{
    memset (f, 0, sizeof *f);
    f->path = path;
    int fd = open (path, O_RDONLY);
    if (fd < 0) {
        snprintf (err, errlen, "%s: cannot open: %s", path, strerror (errno));
        return -1;
    }
    struct stat st;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        snprintf (err, errlen, "%s: not a regular file", path);
        close (fd);
        return -1;
    }
    f->size = (size_t) st.st_size;
    if (f->size) {
        void *map = mmap (NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            snprintf (err, errlen, "%s: cannot map: %s", path, strerror (errno));
            close (fd);
            return -1;
        }
        madvise (map, f->size, MADV_SEQUENTIAL);
        f->data = map;
        f->released = map;
    }
    close (fd);
    /* An empty file maps nothing: read it as an empty string (no
       arithmetic on a NULL pointer). */
    f->p = f->data ? f->data : "";
    f->end = f->p + f->size;
    return 0;
}

static void s_close (s_file_t *f)
{
    if (f->data)
        munmap ((void *) f->data, f->size);
    f->data = NULL;
}

static inline int s_is_blank (char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Moves to the start of the next line that holds data (skipping blank lines
   and, if `comments`, lines starting with '#' or '%'). 0 at end of file. */
static int s_next_line (s_file_t *f, bool comments)
{
    if (f->data && f->p >= f->released && (size_t) (f->p - f->released) >= S_RELEASE_BYTES)
        s_release (f);
    while (f->p < f->end) {
        f->line++;
        const char *q = f->p;
        while (q < f->end && s_is_blank (*q))
            q++;
        if (q < f->end && *q != '\n' && !(comments && (*q == '#' || *q == '%'))) {
            f->line_start = f->p;
            f->p = q;
            return 1;
        }
        const char *nl = memchr (q, '\n', (size_t) (f->end - q));
        f->p = nl ? nl + 1 : f->end;
    }
    return 0;
}

/* The current line, without surrounding blanks, for error messages. */
static void s_excerpt (const s_file_t *f, char *buf, size_t len)
{
    const char *start = f->line_start ? f->line_start : f->data;
    while (start < f->end && s_is_blank (*start))
        start++;
    const char *stop = start;
    while (stop < f->end && *stop != '\n')
        stop++;
    while (stop > start && s_is_blank (stop[-1]))
        stop--;
    size_t n = (size_t) (stop - start);
    if (n > 60)
        n = 60;
    if (n >= len)
        n = len - 1;
    memcpy (buf, start, n);
    buf[n] = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char) buf[i] < 32 && buf[i] != '\t')
            buf[i] = '?';
}

static int s_bad_line (const s_file_t *f, char *err, size_t errlen, const char *what)
{
    char ex[64];
    s_excerpt (f, ex, sizeof ex);
    snprintf (err, errlen, "%s:%zu: expected %s, got \"%s\"", f->path, f->line, what, ex);
    return -1;
}

/* Parses an unsigned decimal at f->p; 0 on success. Nineteen digits
   cannot overflow 64 bits, so only the digits after them are checked. */
static inline int s_uint (s_file_t *f, uint64_t *value)
{
    const char *q = f->p, *end = f->end;
    if (q >= end || (unsigned) (*q - '0') > 9)
        return -1;
    const char *unchecked = end - q > 19 ? q + 19 : end;
    uint64_t v = 0;
    while (q < unchecked && (unsigned) (*q - '0') <= 9)
        v = v * 10 + (unsigned) (*q++ - '0');
    while (q < end && (unsigned) (*q - '0') <= 9) {
        unsigned d = (unsigned) (*q - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        q++;
    }
    f->p = q;
    *value = v;
    return 0;
}

/* Skips separators; returns 1 if another field follows on this line. */
static inline int s_sep (s_file_t *f)
{
    const char *q = f->p;
    while (q < f->end && s_is_blank (*q))
        q++;
    f->p = q;
    return q < f->end && *q != '\n';
}

/* Checks that nothing but blanks is left on the line and moves past it. */
static inline int s_eol (s_file_t *f)
{
    if (s_sep (f))
        return -1;
    if (f->p < f->end)
        f->p++;
    return 0;
}

/* Parses a finite double (a vertex's input value). */
static int s_double (s_file_t *f, double *value)
{
    char buf[64];
    size_t n = 0;
    while (f->p + n < f->end && !s_is_blank (f->p[n]) && f->p[n] != '\n' && n < sizeof buf - 1) {
        buf[n] = f->p[n];
        n++;
    }
    buf[n] = 0;
    char *end;
    errno = 0;
    double v = strtod (buf, &end);
    if (n == 0 || *end || errno || !isfinite (v))
        return -1;
    f->p += n;
    *value = v;
    return 0;
}

/* Parses a finite, non-negative double (an edge weight). */
static int s_weight (s_file_t *f, double *value)
{
    return s_double (f, value) == 0 && *value >= 0 ? 0 : -1;
}

/* Skips one field (an edge property we do not load). */
static void s_skip_field (s_file_t *f)
{
    while (f->p < f->end && !s_is_blank (*f->p) && *f->p != '\n')
        f->p++;
}

/* Skips what is left of the line (properties we do not load) and its end. */
static void s_skip_line (s_file_t *f)
{
    const char *nl = memchr (f->p, '\n', (size_t) (f->end - f->p));
    f->p = nl ? nl + 1 : f->end;
}

/* Id -> index map. */
typedef struct {
    uint64_t base;    /* direct: smallest id */
    uint32_t *direct; /* direct: index per (id - base), UINT32_MAX if absent */
    uint64_t span;
    uint64_t *keys; /* hash */
    uint32_t *vals;
    uint64_t mask;
} s_idmap_t;

static inline uint64_t s_mix (uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int s_idmap_build (s_idmap_t *map, const uint64_t *ids, uint64_t n)
{
    memset (map, 0, sizeof *map);
    if (n == 0)
        return 0;
    uint64_t lo = ids[0], hi = ids[n - 1];
    if (hi - lo < 4 * n + 1024) {
        map->base = lo;
        map->span = hi - lo + 1;
        map->direct = malloc (map->span * sizeof *map->direct);
        if (!map->direct)
            return -1;
        memset (map->direct, 0xff, map->span * sizeof *map->direct);
        for (uint64_t i = 0; i < n; i++)
            map->direct[ids[i] - lo] = (uint32_t) i;
        return 0;
    }
    uint64_t cap = 1;
    while (cap < 2 * n)
        cap <<= 1;
    map->keys = malloc (cap * sizeof *map->keys);
    map->vals = malloc (cap * sizeof *map->vals);
    if (!map->keys || !map->vals)
        return -1;
    memset (map->vals, 0xff, cap * sizeof *map->vals);
    map->mask = cap - 1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t h = s_mix (ids[i]) & map->mask;
        while (map->vals[h] != UINT32_MAX)
            h = (h + 1) & map->mask;
        map->keys[h] = ids[i];
        map->vals[h] = (uint32_t) i;
    }
    return 0;
}

static inline int64_t s_idmap_get (const s_idmap_t *map, uint64_t id)
{
    if (map->direct) {
        if (id < map->base || id - map->base >= map->span)
            return -1;
        uint32_t v = map->direct[id - map->base];
        return v == UINT32_MAX ? -1 : (int64_t) v;
    }
    if (!map->vals)
        return -1;
    for (uint64_t h = s_mix (id) & map->mask;; h = (h + 1) & map->mask) {
        if (map->vals[h] == UINT32_MAX)
            return -1;
        if (map->keys[h] == id)
            return map->vals[h];
    }
}

static void s_idmap_free (s_idmap_t *map)
{
    free (map->direct);
    free (map->keys);
    free (map->vals);
}

/* Growable arrays of edges while parsing, as vertex indexes: 8 bytes an
   edge (SNAP files, whose ids are known only at the end, keep raw ids in
   s_raw_t until they are mapped). */
typedef struct {
    uint32_t *a, *b;
    double *w;
    uint64_t count, cap;
} s_edges_t;

typedef struct {
    uint64_t *a, *b;
    double *w; /* weights, when they are loaded */
    uint64_t count, cap;
} s_raw_t;

static int s_raw_push (s_raw_t *e, uint64_t a, uint64_t b, double w, bool weighted)
{
    if (e->count == e->cap) {
        uint64_t cap = e->cap ? e->cap * 2 : 1 << 16;
        uint64_t *na = realloc (e->a, cap * sizeof *na);
        if (na)
            e->a = na;
        uint64_t *nb = realloc (e->b, cap * sizeof *nb);
        if (nb)
            e->b = nb;
        double *nw = weighted ? realloc (e->w, cap * sizeof *nw) : NULL;
        if (nw)
            e->w = nw;
        if (!na || !nb || (weighted && !nw))
            return -1;
        e->cap = cap;
    }
    if (weighted)
        e->w[e->count] = w;
    e->a[e->count] = a;
    e->b[e->count++] = b;
    return 0;
}

static int s_edges_push (s_edges_t *e, uint32_t a, uint32_t b, double w, bool weighted)
{
    if (e->count == e->cap) {
        uint64_t cap = e->cap ? e->cap * 2 : 1 << 16;
        uint32_t *na = realloc (e->a, cap * sizeof *na);
        if (na)
            e->a = na;
        uint32_t *nb = realloc (e->b, cap * sizeof *nb);
        if (nb)
            e->b = nb;
        double *nw = weighted ? realloc (e->w, cap * sizeof *nw) : NULL;
        if (nw)
            e->w = nw;
        if (!na || !nb || (weighted && !nw))
            return -1;
        e->cap = cap;
    }
    e->a[e->count] = a;
    e->b[e->count] = b;
    if (weighted)
        e->w[e->count] = w;
    e->count++;
    return 0;
}

static void s_edges_free (s_edges_t *e)
{
    free (e->a);
    free (e->b);
    free (e->w);
}

static int s_cmp_u64 (const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *) x, b = *(const uint64_t *) y;
    return a < b ? -1 : a > b;
}

typedef struct {
    uint32_t t;
    double w;
} s_arc_t;

static int s_cmp_arc (const void *x, const void *y)
{
    const s_arc_t *a = x, *b = y;
    return a->t < b->t ? -1 : a->t > b->t;
}

static int s_cmp_u32 (const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *) x, b = *(const uint32_t *) y;
    return a < b ? -1 : a > b;
}

/* Builds the CSR of `g` (ids set) from edge lists of vertex indexes,
   parts[0..n_parts), read in order. */
static int s_build_csr (zp_graph_t *g, const s_edges_t *parts, size_t n_parts, bool weighted)
{
    uint64_t n = g->n;
    g->offsets = calloc (n + 1, sizeof *g->offsets);
    if (!g->offsets)
        return -1;
    for (size_t k = 0; k < n_parts; k++) {
        const s_edges_t *e = &parts[k];
        for (uint64_t i = 0; i < e->count; i++) {
            if (e->a[i] == e->b[i]) {
                g->dropped_self_loops++;
                continue;
            }
            g->offsets[e->a[i] + 1]++;
            if (!g->directed)
                g->offsets[e->b[i] + 1]++;
        }
    }
    for (uint64_t i = 0; i < n; i++)
        g->offsets[i + 1] += g->offsets[i];
    uint64_t m = g->offsets[n];
    g->targets = malloc ((m ? m : 1) * sizeof *g->targets);
    g->weights = weighted ? malloc ((m ? m : 1) * sizeof *g->weights) : NULL;
    uint64_t *pos = malloc ((n ? n : 1) * sizeof *pos);
    if (!g->targets || (weighted && !g->weights) || !pos) {
        free (pos);
        return -1;
    }
    memcpy (pos, g->offsets, n * sizeof *pos);
    for (size_t k = 0; k < n_parts; k++) {
        const s_edges_t *e = &parts[k];
        for (uint64_t i = 0; i < e->count; i++) {
            uint64_t a = e->a[i], b = e->b[i];
            if (a == b)
                continue;
            uint64_t at = pos[a]++;
            g->targets[at] = (uint32_t) b;
            if (weighted)
                g->weights[at] = e->w[i];
            if (!g->directed) {
                at = pos[b]++;
                g->targets[at] = (uint32_t) a;
                if (weighted)
                    g->weights[at] = e->w[i];
            }
        }
    }
    free (pos);
    /* Sort unsorted adjacency lists, then drop repeated arcs, compacting in place. */
    s_arc_t *scratch = NULL;
    size_t scratch_cap = 0;
    uint64_t out = 0;
    for (uint64_t v = 0; v < n; v++) {
        uint64_t lo = g->offsets[v], hi = g->offsets[v + 1];
        bool sorted = true;
        for (uint64_t i = lo + 1; i < hi && sorted; i++)
            sorted = g->targets[i - 1] <= g->targets[i];
        if (!sorted && weighted) {
            if (hi - lo > scratch_cap) {
                scratch_cap = hi - lo;
                s_arc_t *grown = realloc (scratch, scratch_cap * sizeof *scratch);
                if (!grown) {
                    free (scratch);
                    return -1;
                }
                scratch = grown;
            }
            for (uint64_t i = lo; i < hi; i++)
                scratch[i - lo] = (s_arc_t){g->targets[i], g->weights[i]};
            qsort (scratch, hi - lo, sizeof *scratch, s_cmp_arc);
            for (uint64_t i = lo; i < hi; i++) {
                g->targets[i] = scratch[i - lo].t;
                g->weights[i] = scratch[i - lo].w;
            }
        } else if (!sorted)
            qsort (g->targets + lo, hi - lo, sizeof *g->targets, s_cmp_u32);
        g->offsets[v] = out;
        for (uint64_t i = lo; i < hi; i++) {
            if (i > lo && g->targets[i] == g->targets[i - 1]) {
                g->dropped_duplicates++;
                continue;
            }
            g->targets[out] = g->targets[i];
            if (weighted)
                g->weights[out] = g->weights[i];
            out++;
        }
    }
    free (scratch);
    g->offsets[n] = out;
    g->m = out;
    if (!g->directed)
        g->dropped_duplicates /= 2;
    g->edges = g->directed ? out : out / 2;
    return 0;
}

/* Reads a Graphalytics vertex file into g->ids (ascending, unique). */
/* An id and its input value, to sort them together. */
typedef struct {
    uint64_t id;
    double value;
} s_id_value_t;

static int s_cmp_id_value (const void *x, const void *y)
{
    const s_id_value_t *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* The .v file: one id per line, or, with `values`, "id value". */
static int s_read_vertices (zp_graph_t *g, const char *path, bool values, char *err, size_t errlen)
{
    s_file_t f;
    if (s_open (&f, path, err, errlen) != 0)
        return -1;
    uint64_t cap = f.size / 2 + 16, n = 0;
    g->ids = malloc (cap * sizeof *g->ids);
    g->vertex_values = values ? malloc (cap * sizeof *g->vertex_values) : NULL;
    if (!g->ids || (values && !g->vertex_values)) {
        s_close (&f);
        snprintf (err, errlen, "%s: out of memory", path);
        return -1;
    }
    bool sorted = true;
    while (s_next_line (&f, false)) {
        uint64_t id;
        double value = 0;
        if (s_uint (&f, &id) != 0 || (values && (!s_sep (&f) || s_double (&f, &value) != 0)) ||
            s_eol (&f) != 0) {
            s_bad_line (&f, err, errlen,
                        values ? "\"id value\": a vertex id and a finite number (the program "
                                 "reads vertex values)"
                               : "one vertex id (an unsigned 64-bit integer) per line");
            s_close (&f);
            return -1;
        }
        if (n && id <= g->ids[n - 1])
            sorted = false;
        if (values)
            g->vertex_values[n] = value;
        g->ids[n++] = id;
    }
    s_close (&f);
    if (!sorted && values && n) {
        /* Sort the values with their ids. */
        s_id_value_t *pairs = malloc (n * sizeof *pairs);
        if (!pairs) {
            snprintf (err, errlen, "%s: out of memory", path);
            return -1;
        }
        for (uint64_t i = 0; i < n; i++)
            pairs[i] = (s_id_value_t){g->ids[i], g->vertex_values[i]};
        qsort (pairs, n, sizeof *pairs, s_cmp_id_value);
        for (uint64_t i = 0; i < n; i++) {
            g->ids[i] = pairs[i].id;
            g->vertex_values[i] = pairs[i].value;
        }
        free (pairs);
    }
    if (n == 0) {
        snprintf (err, errlen, "%s: no vertices: the file is empty", path);
        return -1;
    }
    if (n > ZP_MAX_VERTICES) {
        snprintf (err, errlen, "%s: %" PRIu64 " vertices; zpregel handles at most %" PRIu64, path,
                  n, ZP_MAX_VERTICES);
        return -1;
    }
    if (!sorted) {
        qsort (g->ids, n, sizeof *g->ids, s_cmp_u64);
        for (uint64_t i = 1; i < n; i++)
            if (g->ids[i] == g->ids[i - 1]) {
                snprintf (err, errlen, "%s: vertex id %" PRIu64 " is listed twice", path,
                          g->ids[i]);
                return -1;
            }
    }
    g->n = n;
    return 0;
}

/* A dataset's graph.NAME.meta.KEY, when given, must be what the file holds:
   a truncated or swapped file is caught before it gives a wrong answer. */
static int s_meta_check (const zp_properties_t *props, const char *key, uint64_t found,
                         const char *path, const char *what, char *err, size_t errlen)
{
    char name[32];
    snprintf (name, sizeof name, "meta.%s", key);
    const char *text = zp_properties_get (props, name);
    if (!text)
        return 0;
    char *end;
    errno = 0;
    unsigned long long want = strtoull (text, &end, 10);
    if (errno || end == text || *end || *text == '-') {
        snprintf (err, errlen, "%s: graph.%s.%s: expected a whole number, got \"%s\"",
                  zp_properties_origin (props, name), zp_properties_name (props), name, text);
        return -1;
    }
    if (want != found) {
        snprintf (err, errlen,
                  "%s holds %" PRIu64 " %s, but %s says graph.%s.%s = %llu (a truncated or "
                  "wrong file?)",
                  path, found, what, zp_properties_origin (props, name), zp_properties_name (props),
                  name, want);
        return -1;
    }
    return 0;
}

/* Column of the weight among a Graphalytics file's edge properties (0-based), or -1. */
static int s_weight_column (const zp_properties_t *props, const char *weight, const char *path,
                            char *err, size_t errlen)
{
    const char *names = zp_properties_get (props, "edge-properties.names");
    if (!names) {
        snprintf (err, errlen, "%s: the graph has no edge properties, so no weight \"%s\"", path,
                  weight);
        return -1;
    }
    int col = 0;
    const char *p = names;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',' && *p != ' ')
            p++;
        if ((size_t) (p - start) == strlen (weight) &&
            strncmp (start, weight, strlen (weight)) == 0)
            return col;
        if (p > start)
            col++;
    }
    snprintf (err, errlen, "%s: edge property \"%s\" is not among edge-properties.names (%s)", path,
              weight, names);
    return -1;
}

/* Shares of an edge file, parsed each on a thread of its own. */
#define S_SHARES_MAX     ZP_PARALLEL_MAX
#define S_SHARE_MIN_SIZE (8u << 20) /* smaller files are not worth a thread */

typedef enum {
    S_SHARE_OK = 0,
    S_SHARE_IDS,       /* no "source target" */
    S_SHARE_NO_WEIGHT, /* the weight column is missing */
    S_SHARE_WEIGHT,    /* the weight is not a finite, non-negative number */
    S_SHARE_UNKNOWN,   /* an id that is not in the vertex file */
    S_SHARE_MEMORY,
} s_share_error_t;

typedef struct {
    s_file_t f; /* over the share; f.line counts its lines */
    const s_idmap_t *map;
    int wcol; /* the weight's column after the two ids, or -1 */
    s_edges_t edges;
    uint64_t records;
    s_share_error_t error;
    uint64_t unknown; /* with S_SHARE_UNKNOWN: the id */
} s_share_t;

/* How many shares to cut `f` into: `threads` if set, else one per CPU
   for each S_SHARE_MIN_SIZE bytes, at most S_SHARES_MAX. */
static size_t s_shares_count (const s_file_t *f, uint32_t threads)
{
    size_t n = threads;
    if (!n) {
        n = zp_process_cpus ();
        size_t fits = f->size / S_SHARE_MIN_SIZE;
        if (n > fits)
            n = fits;
    }
    return n < 1 ? 1 : n > S_SHARES_MAX ? S_SHARES_MAX : n;
}

/* Cuts what is left of f into n parts of about equal size, each starting
   at a line start: each a copy of f over its part, counting its lines
   from 0. */
static void s_file_split (const s_file_t *f, s_file_t *parts, size_t stride, size_t n)
{
    size_t page = (size_t) sysconf (_SC_PAGESIZE);
    size_t left = (size_t) (f->end - f->p);
    const char *from = f->p;
    for (size_t k = 0; k < n; k++) {
        const char *to = f->end;
        if (k + 1 < n) {
            to = f->p + (size_t) ((double) left * (double) (k + 1) / (double) n);
            if (to < from)
                to = from;
            const char *nl = to < f->end ? memchr (to, '\n', (size_t) (f->end - to)) : NULL;
            to = nl ? nl + 1 : f->end;
        }
        s_file_t *part = (s_file_t *) ((char *) parts + k * stride);
        *part = *f;
        part->p = from;
        part->end = to;
        part->line = 0;
        part->line_start = NULL;
        /* Pages are given back from the first one wholly in the part. */
        part->released = from;
        if (f->data) {
            size_t off = (size_t) (from - f->data);
            part->released = f->data + (off + page - 1) / page * page;
        }
        from = to;
    }
}

/* Cuts f into n shares of about equal size, each starting at a line start. */
static void s_shares_cut (const s_file_t *f, s_share_t *shares, size_t n, const s_idmap_t *map,
                          int wcol)
{
    s_file_split (f, &shares[0].f, sizeof *shares, n);
    for (size_t k = 0; k < n; k++) {
        shares[k].map = map;
        shares[k].wcol = wcol;
    }
}

static void *s_share_parse (void *arg)
{
    s_share_t *s = arg;
    s_file_t *f = &s->f;
    bool weighted = s->wcol >= 0;
    while (s_next_line (f, false)) {
        uint64_t a, b;
        double w = 0;
        s->records++;
        if (s_uint (f, &a) != 0 || !s_sep (f) || s_uint (f, &b) != 0) {
            s->error = S_SHARE_IDS;
            return NULL;
        }
        for (int col = 0; col <= s->wcol; col++) {
            if (!s_sep (f)) {
                s->error = S_SHARE_NO_WEIGHT;
                return NULL;
            }
            if (col < s->wcol)
                s_skip_field (f);
            else if (s_weight (f, &w) != 0) {
                s->error = S_SHARE_WEIGHT;
                return NULL;
            }
        }
        s_skip_line (f);
        int64_t ia = s_idmap_get (s->map, a), ib = s_idmap_get (s->map, b);
        if (ia < 0 || ib < 0) {
            s->error = S_SHARE_UNKNOWN;
            s->unknown = ia < 0 ? a : b;
            return NULL;
        }
        if (s_edges_push (&s->edges, (uint32_t) ia, (uint32_t) ib, w, weighted) != 0) {
            s->error = S_SHARE_MEMORY;
            return NULL;
        }
    }
    return NULL;
}

/* The first error in file order, with its line in the whole file; else the
   records of every share in *records. */
static int s_shares_error (s_share_t *shares, size_t n, const char *vpath, uint64_t *records,
                           char *err, size_t errlen)
{
    size_t lines = 0;
    *records = 0;
    for (size_t k = 0; k < n; k++) {
        s_share_t *s = &shares[k];
        *records += s->records;
        if (s->error == S_SHARE_OK) {
            lines += s->f.line;
            continue;
        }
        s->f.line += lines;
        switch (s->error) {
        case S_SHARE_IDS:
            return s_bad_line (&s->f, err, errlen,
                               "\"source target [properties]\" with unsigned integer ids");
        case S_SHARE_NO_WEIGHT:
            return s_bad_line (&s->f, err, errlen, "a weight column on the edge");
        case S_SHARE_WEIGHT:
            return s_bad_line (&s->f, err, errlen, "a finite, non-negative weight");
        case S_SHARE_UNKNOWN:
            snprintf (err, errlen, "%s:%zu: vertex %" PRIu64 " is not in %s", s->f.path, s->f.line,
                      s->unknown, vpath);
            return -1;
        default:
            snprintf (err, errlen, "%s: out of memory", s->f.path);
            return -1;
        }
    }
    return 0;
}

static zp_graph_t *s_load_graphalytics (const zp_graph_source_t *src, zp_properties_t **props_p,
                                        char *err, size_t errlen)
{
    zp_properties_t *props = zp_properties_load (src->path, err, errlen);
    if (!props)
        return NULL;
    zp_graph_t *g = calloc (1, sizeof *g);
    char *vpath = zp_properties_path (props, "vertex-file");
    char *epath = zp_properties_path (props, "edge-file");
    const char *directed = zp_properties_get (props, "directed");
    s_share_t *shares = NULL;
    size_t n_shares = 0;
    s_idmap_t map = {0};
    s_file_t f = {0};
    int rc = -1;
    if (!g)
        goto done;
    if (!vpath || !epath || !directed) {
        snprintf (err, errlen, "%s: missing graph.%s.%s", src->path, zp_properties_name (props),
                  !vpath   ? "vertex-file"
                  : !epath ? "edge-file"
                           : "directed");
        goto done;
    }
    if (strcmp (directed, "true") != 0 && strcmp (directed, "false") != 0) {
        snprintf (err, errlen, "%s: graph.%s.directed: expected true or false, got \"%s\"",
                  zp_properties_origin (props, "directed"), zp_properties_name (props), directed);
        goto done;
    }
    g->directed = strcmp (directed, "true") == 0;
    int wcol = -1;
    if (src->weight_property &&
        (wcol = s_weight_column (props, src->weight_property, src->path, err, errlen)) < 0)
        goto done;
    if (s_read_vertices (g, vpath, src->vertex_values, err, errlen) != 0 ||
        s_idmap_build (&map, g->ids, g->n) != 0)
        goto done;
    if (s_meta_check (props, "vertices", g->n, vpath, "vertices", err, errlen) != 0)
        goto done;
    if (s_open (&f, epath, err, errlen) != 0)
        goto done;
    n_shares = s_shares_count (&f, src->load_threads);
    shares = calloc (n_shares, sizeof *shares);
    if (!shares) {
        snprintf (err, errlen, "%s: out of memory", epath);
        goto done;
    }
    s_shares_cut (&f, shares, n_shares, &map, wcol);
    zp_parallel (s_share_parse, shares, sizeof *shares, n_shares);
    uint64_t records = 0;
    if (s_shares_error (shares, n_shares, vpath, &records, err, errlen) != 0)
        goto done;
    if (records == 0) {
        snprintf (err, errlen, "%s: no edges: the file is empty", epath);
        goto done;
    }
    if (s_meta_check (props, "edges", records, epath, "edges", err, errlen) != 0)
        goto done;
    s_edges_t parts[S_SHARES_MAX];
    for (size_t k = 0; k < n_shares; k++)
        parts[k] = shares[k].edges;
    if (s_build_csr (g, parts, n_shares, wcol >= 0) != 0) {
        snprintf (err, errlen, "%s: out of memory", epath);
        goto done;
    }
    rc = 0;
done:
    s_close (&f);
    s_idmap_free (&map);
    for (size_t k = 0; shares && k < n_shares; k++)
        s_edges_free (&shares[k].edges);
    free (shares);
    free (vpath);
    free (epath);
    if (rc != 0) {
        zp_graph_destroy (&g);
        zp_properties_destroy (&props);
    } else if (props_p)
        *props_p = props;
    else
        zp_properties_destroy (&props);
    return g;
}

static zp_graph_t *s_load_snap (const zp_graph_source_t *src, char *err, size_t errlen)
{
    zp_graph_t *g = calloc (1, sizeof *g);
    s_raw_t raw = {0};
    s_edges_t edges = {0};
    s_idmap_t map = {0};
    s_file_t f = {0};
    uint64_t *all = NULL;
    int rc = -1;
    if (!g)
        return NULL;
    g->directed = src->directed != 0;
    /* A line is "source target" or "source target weight"; a program that
       needs weights needs the third column. */
    bool weighted = src->weight_property != NULL;
    if (s_open (&f, src->path, err, errlen) != 0)
        goto done;
    while (s_next_line (&f, true)) {
        uint64_t a, b;
        double w = 0;
        if (s_uint (&f, &a) != 0 || !s_sep (&f) || s_uint (&f, &b) != 0) {
            s_bad_line (&f, err, errlen, "\"source target\" with unsigned integer ids");
            goto done;
        }
        bool third = s_sep (&f);
        if ((weighted && !third) || (third && s_weight (&f, &w) != 0) || s_eol (&f) != 0) {
            s_bad_line (&f, err, errlen,
                        weighted ? "\"source target weight\", the weight finite and "
                                   "non-negative (the program reads edge weights)"
                                 : "\"source target\" with unsigned integer ids, or "
                                   "\"source target weight\"");
            goto done;
        }
        if (s_raw_push (&raw, a, b, w, weighted) != 0) {
            snprintf (err, errlen, "%s: out of memory", src->path);
            goto done;
        }
    }
    if (raw.count == 0) {
        snprintf (err, errlen, "%s: no edges: the file is empty", src->path);
        goto done;
    }
    /* The vertex set is every id that appears in an edge. */
    all = malloc ((2 * raw.count + 1) * sizeof *all);
    if (!all) {
        snprintf (err, errlen, "%s: out of memory", src->path);
        goto done;
    }
    if (raw.count) {
        memcpy (all, raw.a, raw.count * sizeof *all);
        memcpy (all + raw.count, raw.b, raw.count * sizeof *all);
        qsort (all, 2 * raw.count, sizeof *all, s_cmp_u64);
    }
    uint64_t n = 0;
    for (uint64_t i = 0; i < 2 * raw.count; i++)
        if (i == 0 || all[i] != all[i - 1])
            all[n++] = all[i];
    if (n > ZP_MAX_VERTICES) {
        snprintf (err, errlen, "%s: %" PRIu64 " vertices; zpregel handles at most %" PRIu64,
                  src->path, n, ZP_MAX_VERTICES);
        goto done;
    }
    g->ids = realloc (all, (n ? n : 1) * sizeof *all);
    all = NULL;
    g->n = n;
    if (!g->ids || s_idmap_build (&map, g->ids, n) != 0) {
        snprintf (err, errlen, "%s: out of memory", src->path);
        goto done;
    }
    edges.a = malloc ((raw.count + 1) * sizeof *edges.a);
    edges.b = malloc ((raw.count + 1) * sizeof *edges.b);
    if (!edges.a || !edges.b) {
        snprintf (err, errlen, "%s: out of memory", src->path);
        goto done;
    }
    edges.count = edges.cap = raw.count;
    for (uint64_t i = 0; i < raw.count; i++) {
        edges.a[i] = (uint32_t) s_idmap_get (&map, raw.a[i]);
        edges.b[i] = (uint32_t) s_idmap_get (&map, raw.b[i]);
    }
    free (raw.a);
    free (raw.b);
    raw.a = raw.b = NULL;
    edges.w = raw.w;
    raw.w = NULL;
    if (s_build_csr (g, &edges, 1, weighted) != 0) {
        snprintf (err, errlen, "%s: out of memory", src->path);
        goto done;
    }
    rc = 0;
done:
    free (all);
    free (raw.a);
    free (raw.b);
    free (raw.w);
    s_close (&f);
    s_idmap_free (&map);
    s_edges_free (&edges);
    if (rc != 0)
        zp_graph_destroy (&g);
    return g;
}

/* The binary format: a header, then the arrays of a zp_graph_t as they are
   in memory (little-endian):
     char magic[8] = "ZPGRAPH1"; uint32 flags (1 directed, 2 weighted); uint32 0;
     uint64 n; uint64 m; uint64 edges;
     uint64 ids[n] (ascending); uint64 offsets[n+1]; uint32 targets[m];
     (padding to 8 bytes) double weights[m] if weighted
   Loading checks the size and every array before trusting it. */
#define S_MAGIC "ZPGRAPH1"

/* CSV and TSV edge lists. */

static bool s_ends_with (const char *s, const char *suffix);

/* One record's fields, as views into the file or, for a quoted field
   with doubled quotes, into `unquoted`. */
#define S_CSV_MAX_FIELDS 64
typedef struct {
    const char *at[S_CSV_MAX_FIELDS];
    size_t len[S_CSV_MAX_FIELDS];
    size_t n; /* fields on the line (more than S_CSV_MAX_FIELDS are counted, not kept) */
    size_t off[S_CSV_MAX_FIELDS]; /* a field unquoted into the buffer (at[i] NULL): where */
    size_t line;                  /* where the record starts */
    char *unquoted;               /* grows as needed */
    size_t cap, used;
} s_record_t;

/* Reads the record at f->p into r; 0 at the end of the file, -1 on an
   unterminated quote (f->line says where it began). Blank lines are
   skipped. */
static int s_csv_record (s_file_t *f, char delim, s_record_t *r)
{
    while (f->p < f->end && (*f->p == '\n' || *f->p == '\r')) {
        if (*f->p == '\n')
            f->line++;
        f->p++;
    }
    if (f->p >= f->end)
        return 0;
    if (f->data && (size_t) (f->p - f->released) >= S_RELEASE_BYTES)
        s_release (f);
    f->line_start = f->p;
    r->n = 0;
    r->used = 0;
    r->line = f->line + 1;
    while (true) {
        const char *start = f->p;
        size_t len;
        /* Blanks may come before an opening quote. */
        const char *first = f->p;
        while (first < f->end && *first == ' ' && delim != ' ')
            first++;
        if (first < f->end && *first == '"') {
            f->p = first;
            /* Quoted: up to the closing quote, "" standing for one. */
            const char *q = ++f->p;
            bool doubled = false;
            while (true) {
                const char *close = memchr (q, '"', (size_t) (f->end - q));
                if (!close) {
                    f->line = r->line;
                    return -1;
                }
                if (close + 1 < f->end && close[1] == '"') {
                    doubled = true;
                    q = close + 2;
                    continue;
                }
                q = close;
                break;
            }
            for (const char *c = f->p; c < q; c++)
                f->line += *c == '\n';
            len = (size_t) (q - f->p);
            start = f->p;
            if (doubled) {
                if (r->used + len + 1 > r->cap) {
                    size_t cap = (r->used + len + 1) * 2;
                    char *grown = realloc (r->unquoted, cap);
                    if (!grown)
                        return -1;
                    r->unquoted = grown;
                    r->cap = cap;
                }
                char *out = r->unquoted + r->used;
                size_t k = 0;
                for (const char *c = f->p; c < q; c++) {
                    out[k++] = *c;
                    if (*c == '"')
                        c++;
                }
                start = NULL; /* in the buffer, at `used`: pointed to once it stops moving */
                if (r->n < S_CSV_MAX_FIELDS)
                    r->off[r->n] = r->used;
                len = k;
                r->used += k;
            }
            f->p = q + 1;
            /* Blanks may follow the closing quote. */
            while (f->p < f->end && *f->p != delim && (*f->p == ' ' || *f->p == '\r'))
                f->p++;
        } else {
            while (f->p < f->end && *f->p != delim && *f->p != '\n')
                f->p++;
            len = (size_t) (f->p - start);
            /* A CR before the line's end, and blanks around the field, are not in it. */
            while (len && (start[len - 1] == '\r' || start[len - 1] == ' '))
                len--;
            while (len && *start == ' ' && delim != ' ') {
                start++;
                len--;
            }
        }
        if (r->n < S_CSV_MAX_FIELDS) {
            r->at[r->n] = start;
            r->len[r->n] = len;
        }
        r->n++;
        if (f->p < f->end && *f->p == delim) {
            f->p++;
            continue;
        }
        /* The end of the line (or junk after a closing quote: taken as its end). */
        const char *nl = f->p < f->end ? memchr (f->p, '\n', (size_t) (f->end - f->p)) : NULL;
        f->p = nl ? nl + 1 : f->end;
        f->line++;
        for (size_t i = 0; i < r->n && i < S_CSV_MAX_FIELDS; i++)
            if (!r->at[i])
                r->at[i] = r->unquoted + r->off[i];
        return 1;
    }
}

/* Vertex names while loading: each distinct name once, in the order it
   first appears, in an arena; an open-addressing table finds them. */
typedef struct {
    char *arena;
    size_t used, cap;
    uint64_t *at; /* n + 1 offsets into the arena */
    uint64_t n;
    size_t cap_at;
    uint32_t *slots; /* index + 1, 0 empty */
    uint64_t mask;
} s_namer_t;

static uint64_t s_hash_bytes (const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char) s[i]) * 1099511628211ULL;
    return s_mix (h);
}

/* The index of `name`, added if new; -1 when memory runs out or a graph
   would have more than 2^32 - 1 vertices. */
static int64_t s_namer_get (s_namer_t *nm, const char *name, size_t len)
{
    if (2 * (nm->n + 1) > nm->mask) {
        uint64_t cap = nm->mask ? 2 * (nm->mask + 1) : 1024;
        uint32_t *slots = calloc (cap, sizeof *slots);
        if (!slots)
            return -1;
        for (uint64_t i = 0; i < nm->n; i++) {
            const char *s = nm->arena + nm->at[i];
            uint64_t h = s_hash_bytes (s, nm->at[i + 1] - nm->at[i] - 1) & (cap - 1);
            while (slots[h])
                h = (h + 1) & (cap - 1);
            slots[h] = (uint32_t) i + 1;
        }
        free (nm->slots);
        nm->slots = slots;
        nm->mask = cap - 1;
    }
    uint64_t h = s_hash_bytes (name, len) & nm->mask;
    for (; nm->slots[h]; h = (h + 1) & nm->mask) {
        uint64_t i = nm->slots[h] - 1;
        if (nm->at[i + 1] - nm->at[i] - 1 == len && memcmp (nm->arena + nm->at[i], name, len) == 0)
            return (int64_t) i;
    }
    if (nm->n >= ZP_MAX_VERTICES - 1)
        return -1;
    if (nm->used + len + 1 > nm->cap) {
        size_t cap = (nm->used + len + 1) * 2;
        char *grown = realloc (nm->arena, cap);
        if (!grown)
            return -1;
        nm->arena = grown;
        nm->cap = cap;
    }
    uint64_t *at = zp_grow (nm->at, &nm->cap_at, nm->n + 1, sizeof *at, 1024);
    if (!at)
        return -1;
    nm->at = at;
    if (nm->n == 0)
        nm->at[0] = 0;
    memcpy (nm->arena + nm->used, name, len);
    nm->arena[nm->used + len] = 0;
    nm->used += len + 1;
    nm->at[nm->n + 1] = nm->used;
    nm->slots[h] = (uint32_t) nm->n + 1;
    return (int64_t) nm->n++;
}

/* Whether `s` is an unsigned decimal (no sign, no leading zero but "0")
   that fits 64 bits: then the ids are numbers. */
static bool s_is_id (const char *s, size_t len, uint64_t *value)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned) (s[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *value = v;
    return true;
}

/* The 0-based column `spec` names: a number from 1, or a name in the
   header. -1 with a message. */
static int s_csv_column (const char *spec, const char *key, const s_record_t *header,
                         const char *path, const char *shown, char *err, size_t errlen)
{
    uint64_t number;
    if (s_is_id (spec, strlen (spec), &number)) {
        if (number == 0 || number > S_CSV_MAX_FIELDS) {
            snprintf (err, errlen, "%s: job.csv.%s: expected a column number from 1 to %d, got %s",
                      path, key, S_CSV_MAX_FIELDS, spec);
            return -1;
        }
        return (int) number - 1;
    }
    if (!header) {
        snprintf (err, errlen,
                  "%s: job.csv.%s: \"%s\" names a column, but the file has no header "
                  "(job.csv.header: false): give its number from 1",
                  path, key, spec);
        return -1;
    }
    for (size_t i = 0; i < header->n && i < S_CSV_MAX_FIELDS; i++)
        if (header->len[i] == strlen (spec) && memcmp (header->at[i], spec, header->len[i]) == 0)
            return (int) i;
    char list[512] = "";
    for (size_t i = 0; i < header->n && i < S_CSV_MAX_FIELDS; i++) {
        size_t at = strlen (list);
        snprintf (list + at, sizeof list - at, "%s\"%.*s\"", i ? ", " : "", (int) header->len[i],
                  header->at[i]);
    }
    snprintf (err, errlen,
              "%s:1: job.csv.%s: no column \"%s\" in the header (its columns, "
              "separated by '%s': %s)",
              path, key, spec, shown, list);
    return -1;
}

/* A share of a CSV file: its records parsed on a thread of its own, its
   vertices numbered in the order they first appear in it. */
typedef struct {
    s_file_t f; /* over the share; f.line counts its lines */
    char delim;
    const char *shown; /* the delimiter, for messages */
    int cs, ct, cw, need;
    s_record_t r;
    s_namer_t nm;     /* the share's own names */
    s_edges_t edges;  /* by the share's indexes, then the graph's */
    uint32_t *global; /* the share's index -> the graph's, after the merge */
    uint64_t records;
    size_t error_line; /* the first error's line in the share, 0: none */
    char error[400];   /* what it says after "path:line: " */
} s_csv_share_t;

static void *s_csv_share_parse (void *arg)
{
    s_csv_share_t *s = arg;
    s_file_t *f = &s->f;
    s_record_t *r = &s->r;
    bool weighted = s->cw >= 0;
    int got;
    while ((got = s_csv_record (f, s->delim, r)) > 0) {
        if (r->n < (size_t) s->need) {
            char ex[64];
            s_excerpt (f, ex, sizeof ex);
            const char *hint = memchr (ex, ';', strlen (ex))    ? " (is the delimiter ';'?)"
                               : memchr (ex, '\t', strlen (ex)) ? " (is the delimiter a tab?)"
                               : memchr (ex, ',', strlen (ex))  ? " (is the delimiter ','?)"
                                                                : "";
            snprintf (s->error, sizeof s->error,
                      "expected at least %d fields separated by '%s', got %zu in \"%s\"%s", s->need,
                      s->shown, r->n, ex, hint);
            s->error_line = r->line;
            return NULL;
        }
        if (r->len[s->cs] == 0 || r->len[s->ct] == 0) {
            snprintf (s->error, sizeof s->error, "an empty %s vertex",
                      r->len[s->cs] == 0 ? "source" : "target");
            s->error_line = r->line;
            return NULL;
        }
        double w = 0;
        if (weighted) {
            char buf[64];
            size_t n = r->len[s->cw] < sizeof buf - 1 ? r->len[s->cw] : sizeof buf - 1;
            memcpy (buf, r->at[s->cw], n);
            buf[n] = 0;
            char *end;
            errno = 0;
            w = strtod (buf, &end);
            if (n == 0 || *end || errno || !isfinite (w) || w < 0) {
                snprintf (s->error, sizeof s->error,
                          "expected a finite, non-negative weight, got \"%s\"", buf);
                s->error_line = r->line;
                return NULL;
            }
        }
        int64_t a = s_namer_get (&s->nm, r->at[s->cs], r->len[s->cs]);
        int64_t b = a < 0 ? -1 : s_namer_get (&s->nm, r->at[s->ct], r->len[s->ct]);
        if (a < 0 || b < 0 || s_edges_push (&s->edges, (uint32_t) a, (uint32_t) b, w, weighted)) {
            snprintf (s->error, sizeof s->error, "out of memory, or more than %" PRIu64 " vertices",
                      (uint64_t) ZP_MAX_VERTICES - 1);
            s->error_line = r->line;
            return NULL;
        }
        s->records++;
    }
    if (got < 0) {
        snprintf (s->error, sizeof s->error, "a quote that is never closed");
        s->error_line = f->line;
    }
    return NULL;
}

/* The share's names, and their numbers in the graph, let go. */
static void s_csv_share_forget (s_csv_share_t *s)
{
    free (s->global);
    free (s->nm.arena);
    free (s->nm.at);
    free (s->nm.slots);
    s->global = NULL;
    s->nm = (s_namer_t){0};
}

/* The share's edges by the graph's indexes. */
static void *s_csv_share_renumber (void *arg)
{
    s_csv_share_t *s = arg;
    for (uint64_t e = 0; e < s->edges.count; e++) {
        s->edges.a[e] = s->global[s->edges.a[e]];
        s->edges.b[e] = s->global[s->edges.b[e]];
    }
    s_csv_share_forget (s);
    return NULL;
}

static void s_csv_share_free (s_csv_share_t *s)
{
    free (s->r.unquoted);
    s_edges_free (&s->edges);
    s_csv_share_forget (s);
}

static zp_graph_t *s_load_csv (const zp_graph_source_t *src, char *err, size_t errlen)
{
    const zp_csv_t none = {0, -1, NULL, NULL, NULL};
    const zp_csv_t *how = src->csv ? src->csv : &none;
    char delim = how->delimiter ? how->delimiter : s_ends_with (src->path, ".tsv") ? '\t' : ',';
    const char *shown = delim == '\t' ? "\\t" : (char[]){delim, 0};
    bool header = how->header != 0;
    zp_graph_t *g = calloc (1, sizeof *g);
    s_file_t f = {0};
    s_record_t head = {0};
    s_namer_t nm = {0};
    s_csv_share_t *shares = NULL;
    size_t n_shares = 0;
    bool weighted = src->weight_property != NULL;
    int rc = -1;
    if (!g)
        goto done;
    g->directed = src->directed != 0;
    if (weighted && !how->weight) {
        snprintf (err, errlen,
                  "%s: the program reads edge weights: name their column with job.csv.weight",
                  src->path);
        goto done;
    }
    if (s_open (&f, src->path, err, errlen) != 0)
        goto done;
    int got = header ? s_csv_record (&f, delim, &head) : 1;
    if (got < 0) {
        snprintf (err, errlen, "%s:%zu: a quote that is never closed", src->path, f.line);
        goto done;
    }
    if (got == 0) {
        snprintf (err, errlen, "%s: no edges: the file is empty", src->path);
        goto done;
    }
    if (header) {
        /* A name said twice leaves a column in doubt. */
        for (size_t i = 0; i < head.n && i < S_CSV_MAX_FIELDS; i++)
            for (size_t j = 0; j < i; j++)
                if (head.len[i] == head.len[j] &&
                    memcmp (head.at[i], head.at[j], head.len[i]) == 0) {
                    snprintf (err, errlen, "%s:%zu: the header names column \"%.*s\" twice",
                              src->path, head.line, (int) head.len[i], head.at[i]);
                    goto done;
                }
        /* The header's fields point into the mapping, or into its buffer. */
    }
    int cs = s_csv_column (how->source ? how->source : "1", "source", header ? &head : NULL,
                           src->path, shown, err, errlen);
    int ct = cs < 0 ? -1
                    : s_csv_column (how->target ? how->target : "2", "target",
                                    header ? &head : NULL, src->path, shown, err, errlen);
    int cw = ct < 0 || !weighted ? -1
                                 : s_csv_column (how->weight, "weight", header ? &head : NULL,
                                                 src->path, shown, err, errlen);
    if (cs < 0 || ct < 0 || (weighted && cw < 0))
        goto done;
    int need = (cs > ct ? cs : ct) + 1;
    if (cw + 1 > need)
        need = cw + 1;
    /* Shares cut at line starts, unless a quote is in the file: a quoted
       field may hold a line's end, and only a reader from the start knows
       whether a newline is one. */
    n_shares =
        memchr (f.p, '"', (size_t) (f.end - f.p)) ? 1 : s_shares_count (&f, src->load_threads);
    shares = calloc (n_shares, sizeof *shares);
    if (!shares)
        goto oom;
    s_file_split (&f, &shares[0].f, sizeof *shares, n_shares);
    for (size_t k = 0; k < n_shares; k++) {
        s_csv_share_t *sh = &shares[k];
        sh->delim = delim;
        sh->shown = shown;
        sh->cs = cs;
        sh->ct = ct;
        sh->cw = cw;
        sh->need = need;
    }
    zp_parallel (s_csv_share_parse, shares, sizeof *shares, n_shares);
    /* The first error in file order, with its line in the whole file. */
    uint64_t records = 0;
    size_t lines = f.line;
    for (size_t k = 0; k < n_shares; k++) {
        if (shares[k].error_line) {
            snprintf (err, errlen, "%s:%zu: %s", src->path, lines + shares[k].error_line,
                      shares[k].error);
            goto done;
        }
        lines += shares[k].f.line;
        records += shares[k].records;
    }
    if (records == 0) {
        snprintf (err, errlen, "%s: no edges: the file has %s", src->path,
                  header ? "its header only" : "no records");
        goto done;
    }
    /* The graph's vertices in the order they first appear in the file:
       each share's, in its order, after those of the shares before it. */
    for (size_t k = 0; k < n_shares; k++) {
        s_csv_share_t *sh = &shares[k];
        if (!(sh->global = malloc ((sh->nm.n ? sh->nm.n : 1) * sizeof *sh->global)))
            goto oom;
        for (uint64_t i = 0; i < sh->nm.n; i++) {
            const char *name = sh->nm.arena + sh->nm.at[i];
            int64_t at = s_namer_get (&nm, name, sh->nm.at[i + 1] - sh->nm.at[i] - 1);
            if (at < 0)
                goto oom;
            sh->global[i] = (uint32_t) at;
        }
    }
    free (nm.slots);
    nm.slots = NULL;
    g->n = nm.n;
    g->ids = malloc ((g->n ? g->n : 1) * sizeof *g->ids);
    if (!g->ids)
        goto oom;
    /* Numbers for every vertex: they are the ids, as in any other format,
       and the vertices are indexed by ascending id; each share's numbers
       then go through the id's index. */
    bool numbers = true;
    for (uint64_t i = 0; i < g->n && numbers; i++)
        numbers = s_is_id (nm.arena + nm.at[i], nm.at[i + 1] - nm.at[i] - 1, &g->ids[i]);
    if (numbers) {
        uint64_t *first_seen = malloc ((g->n ? g->n : 1) * sizeof *first_seen);
        s_idmap_t map = {0};
        if (first_seen) {
            memcpy (first_seen, g->ids, g->n * sizeof *first_seen);
            qsort (g->ids, g->n, sizeof *g->ids, s_cmp_u64);
        }
        if (!first_seen || s_idmap_build (&map, g->ids, g->n) != 0) {
            free (first_seen);
            s_idmap_free (&map);
            goto oom;
        }
        for (size_t k = 0; k < n_shares; k++)
            for (uint64_t i = 0; i < shares[k].nm.n; i++)
                shares[k].global[i] =
                    (uint32_t) s_idmap_get (&map, first_seen[shares[k].global[i]]);
        s_idmap_free (&map);
        free (first_seen);
    } else {
        for (uint64_t i = 0; i < g->n; i++)
            g->ids[i] = i;
        g->names = nm.arena;
        g->name_at = nm.at;
        nm.arena = NULL;
        nm.at = NULL;
    }
    zp_parallel (s_csv_share_renumber, shares, sizeof *shares, n_shares);
    s_edges_t parts[S_SHARES_MAX];
    for (size_t k = 0; k < n_shares; k++)
        parts[k] = shares[k].edges;
    if (s_build_csr (g, parts, n_shares, weighted) != 0)
        goto oom;
    rc = 0;
    goto done;
oom:
    snprintf (err, errlen, "%s: out of memory", src->path);
done:
    s_close (&f);
    free (head.unquoted);
    free (nm.arena);
    free (nm.at);
    free (nm.slots);
    for (size_t k = 0; shares && k < n_shares; k++)
        s_csv_share_free (&shares[k]);
    free (shares);
    if (rc != 0)
        zp_graph_destroy (&g);
    return g;
}

const char *zp_graph_name (const zp_graph_t *self, uint64_t i)
{
    return self->names && i < self->n ? self->names + self->name_at[i] : NULL;
}

int64_t zp_graph_find_name (const zp_graph_t *self, const char *name)
{
    for (uint64_t i = 0; self->names && i < self->n; i++)
        if (strcmp (self->names + self->name_at[i], name) == 0)
            return (int64_t) i;
    return -1;
}

static size_t s_binary_size (uint64_t n, uint64_t m, bool weighted)
{
    size_t size = 40 + n * 8 + (n + 1) * 8 + m * 4;
    /* Weights are aligned to 8 bytes; without them there is no padding. */
    return weighted ? ((size + 7) & ~(size_t) 7) + m * 8 : size;
}

int zp_graph_write_binary (const zp_graph_t *g, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen (path, "wb");
    if (!f) {
        snprintf (err, errlen, "%s: cannot write: %s", path, strerror (errno));
        return -1;
    }
    uint32_t flags = (g->directed ? 1u : 0u) | (g->weights ? 2u : 0u), zero = 0;
    uint64_t head[3] = {g->n, g->m, g->edges};
    fwrite (S_MAGIC, 1, 8, f);
    fwrite (&flags, 4, 1, f);
    fwrite (&zero, 4, 1, f);
    fwrite (head, 8, 3, f);
    fwrite (g->ids, 8, g->n, f);
    fwrite (g->offsets, 8, g->n + 1, f);
    fwrite (g->targets, 4, g->m, f);
    if (g->weights) {
        static const uint8_t pad[8];
        fwrite (pad, 1, (8 - (g->m * 4) % 8) % 8, f);
        fwrite (g->weights, 8, g->m, f);
    }
    if (ferror (f) | (fclose (f) != 0)) {
        snprintf (err, errlen, "%s: write failed: %s", path, strerror (errno));
        return -1;
    }
    return 0;
}

static zp_graph_t *s_load_binary (const zp_graph_source_t *src, char *err, size_t errlen)
{
    s_file_t f;
    if (s_open (&f, src->path, err, errlen) != 0)
        return NULL;
    zp_graph_t *g = NULL;
    const uint8_t *p = (const uint8_t *) f.data;
    uint32_t flags;
    uint64_t head[3];
    if (f.size < 40 || memcmp (p, S_MAGIC, 8) != 0) {
        snprintf (err, errlen, "%s: not a zpregel binary graph (no ZPGRAPH1 header)", src->path);
        goto done;
    }
    memcpy (&flags, p + 8, 4);
    memcpy (head, p + 16, 24);
    uint64_t n = head[0], m = head[1];
    bool weighted = flags & 2;
    /* The weights are read only when asked for (weight_property set, by a
       program that reads them): 8 bytes an arc that BFS, WCC, CDLP and LCC
       would otherwise copy and ship to their workers for nothing. */
    bool keep_weights = weighted && src->weight_property;
    if (n > ZP_MAX_VERTICES || m > (UINT64_MAX / 16) || f.size != s_binary_size (n, m, weighted)) {
        snprintf (err, errlen,
                  "%s: %zu bytes, but its header describes %" PRIu64 " vertices and %" PRIu64
                  " arcs: truncated or damaged",
                  src->path, f.size, n, m);
        goto done;
    }
    if (!(g = calloc (1, sizeof *g)))
        goto oom;
    g->n = n;
    g->m = m;
    g->edges = head[2];
    g->directed = flags & 1;
    g->ids = malloc ((n ? n : 1) * 8);
    g->offsets = malloc ((n + 1) * 8);
    g->targets = malloc ((m ? m : 1) * 4);
    g->weights = keep_weights ? malloc ((m ? m : 1) * 8) : NULL;
    if (!g->ids || !g->offsets || !g->targets || (keep_weights && !g->weights))
        goto oom;
    size_t at = 40;
    memcpy (g->ids, p + at, n * 8);
    at += n * 8;
    memcpy (g->offsets, p + at, (n + 1) * 8);
    at += (n + 1) * 8;
    memcpy (g->targets, p + at, m * 4);
    at += m * 4;
    if (keep_weights)
        memcpy (g->weights, p + ((at + 7) & ~(size_t) 7), m * 8);
    /* Trust nothing: ascending ids, offsets that end at m, targets inside. */
    bool ok = g->offsets[0] == 0 && g->offsets[n] == m;
    for (uint64_t i = 0; ok && i < n; i++)
        ok = g->offsets[i] <= g->offsets[i + 1] && (i == 0 || g->ids[i - 1] < g->ids[i]);
    for (uint64_t i = 0; ok && i < m; i++)
        ok = g->targets[i] < n;
    if (!ok) {
        snprintf (err, errlen,
                  "%s: inconsistent arrays (ids not ascending, or offsets or targets out of range)",
                  src->path);
        zp_graph_destroy (&g);
    }
    goto done;
oom:
    snprintf (err, errlen, "%s: out of memory", src->path);
    zp_graph_destroy (&g);
done:
    s_close (&f);
    return g;
}

static bool s_ends_with (const char *s, const char *suffix)
{
    size_t a = strlen (s), b = strlen (suffix);
    return a >= b && strcmp (s + a - b, suffix) == 0;
}

zp_format_t zp_graph_format (const char *path, zp_format_t format)
{
    if (format != ZP_FORMAT_AUTO)
        return format;
    return s_ends_with (path, ".properties")                          ? ZP_FORMAT_GRAPHALYTICS
           : s_ends_with (path, ".zpg")                               ? ZP_FORMAT_BINARY
           : s_ends_with (path, ".csv") || s_ends_with (path, ".tsv") ? ZP_FORMAT_CSV
                                                                      : ZP_FORMAT_SNAP;
}

zp_graph_t *zp_graph_load (const zp_graph_source_t *source, zp_properties_t **props_p, char *err,
                           size_t errlen)
{
    if (props_p)
        *props_p = NULL;
    zp_format_t format = zp_graph_format (source->path, source->format);
    if (format == ZP_FORMAT_GRAPHALYTICS)
        return s_load_graphalytics (source, props_p, err, errlen);
    if (format == ZP_FORMAT_BINARY)
        return s_load_binary (source, err, errlen);
    if (format == ZP_FORMAT_CSV)
        return s_load_csv (source, err, errlen);
    return s_load_snap (source, err, errlen);
}

static void s_free_edges (zp_graph_t *g)
{
    if (g->in_offsets != g->offsets) {
        free (g->in_offsets);
        free (g->in_sources);
    }
    free (g->offsets);
    free (g->targets);
    free (g->weights);
    free (g->vertex_values);
    g->offsets = g->in_offsets = NULL;
    g->targets = g->in_sources = NULL;
    g->weights = g->vertex_values = NULL;
}

void zp_graph_destroy (zp_graph_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_graph_t *g = *self_p;
    s_free_edges (g);
    free (g->ids);
    free (g->names);
    free (g->name_at);
    free (g);
    *self_p = NULL;
}

/* A digest of the ids, the edges and the input values, to tell a
   reloaded graph from another: one multiply a word, in four independent
   chains (one chain waited on each multiply: 60 ms of a scale-20 BFS's
   whole run). Never 0. */
static uint64_t s_digest (const zp_graph_t *g)
{
    const struct {
        const void *data;
        size_t bytes;
    } parts[] = {{g->ids, g->n * 8},
                 {g->offsets, (g->n + 1) * 8},
                 {g->targets, g->m * 4},
                 {g->weights, g->weights ? g->m * 8 : 0},
                 {g->vertex_values, g->vertex_values ? g->n * 8 : 0}};
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ g->n ^ (g->m << 1) ^ g->directed;
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        const uint8_t *p = parts[k].data;
        uint64_t c[4] = {h, h ^ 1, h ^ 2, h ^ 3};
        size_t i = 0;
        for (; i + 32 <= parts[k].bytes; i += 32)
            for (int j = 0; j < 4; j++) {
                uint64_t w;
                memcpy (&w, p + i + 8 * j, 8);
                c[j] = (c[j] ^ w) * 0x100000001b3ULL;
            }
        h = c[0];
        for (int j = 1; j < 4; j++)
            h = ((h ^ (h >> 29)) ^ c[j]) * 0x100000001b3ULL;
        for (; i < parts[k].bytes; i++)
            h = (h ^ p[i]) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return h ? h : 1;
}

void zp_graph_drop_edges (zp_graph_t *g)
{
    if (g->dropped)
        return;
    g->dropped = s_digest (g);
    s_free_edges (g);
}

int zp_graph_reload_edges (zp_graph_t *g, const zp_graph_source_t *source, bool in_edges, char *err,
                           size_t errlen)
{
    if (!g->dropped)
        return 0;
    zp_graph_t *again = zp_graph_load (source, NULL, err, errlen);
    if (!again)
        return -1;
    if (again->n != g->n || again->m != g->m || s_digest (again) != g->dropped) {
        snprintf (err, errlen,
                  "%s: changed while the job ran: it is not the graph the job started with",
                  source->path);
        zp_graph_destroy (&again);
        return -1;
    }
    if (in_edges && zp_graph_build_in_edges (again) != 0) {
        snprintf (err, errlen, "%s: out of memory building in-edges", source->path);
        zp_graph_destroy (&again);
        return -1;
    }
    /* Its edges become ours; ours were freed. */
    g->offsets = again->offsets;
    g->targets = again->targets;
    g->weights = again->weights;
    g->vertex_values = again->vertex_values;
    g->in_offsets = again->in_offsets;
    g->in_sources = again->in_sources;
    g->dropped = 0;
    again->offsets = again->in_offsets = NULL;
    again->targets = again->in_sources = NULL;
    again->weights = again->vertex_values = NULL;
    zp_graph_destroy (&again);
    return 0;
}

/* A share of zp_graph_build_in_edges: the in-lists of the targets [lo, hi). */
typedef struct {
    const zp_graph_t *g;
    uint64_t lo, hi;
    uint64_t *off;
    uint32_t *src;
} s_in_share_t;

/* Counts the in-degree of each target of the share in off[t + 1]. */
static void *s_in_count (void *arg)
{
    s_in_share_t *s = arg;
    const uint32_t *restrict targets = s->g->targets;
    uint64_t *restrict off = s->off;
    uint64_t m = s->g->m, lo = s->lo, span = s->hi - s->lo;
    for (uint64_t i = 0; i < m; i++)
        if (targets[i] - lo < span)
            off[targets[i] + 1]++;
    return NULL;
}

/* Fills the share's in-lists, each at off[t] on, advancing off[t]. Every
   share scans the arcs in source order, so each in-list comes out
   ascending, as on one thread. */
static void *s_in_fill (void *arg)
{
    s_in_share_t *s = arg;
    const zp_graph_t *g = s->g;
    const uint32_t *restrict targets = g->targets;
    uint64_t *restrict off = s->off;
    uint32_t *restrict src = s->src;
    uint64_t lo = s->lo, span = s->hi - s->lo;
    for (uint64_t v = 0; v < g->n; v++)
        for (uint64_t i = g->offsets[v]; i < g->offsets[v + 1]; i++)
            if (targets[i] - lo < span)
                src[off[targets[i]]++] = (uint32_t) v;
    return NULL;
}

int zp_graph_build_in_edges (zp_graph_t *g)
{
    if (g->in_offsets)
        return 0;
    if (!g->directed) {
        g->in_offsets = g->offsets;
        g->in_sources = g->targets;
        return 0;
    }
    uint64_t n = g->n, m = g->m;
    uint64_t *off = calloc (n + 1, sizeof *off);
    uint32_t *src = malloc ((m ? m : 1) * sizeof *src);
    if (!off || !src) {
        free (off);
        free (src);
        return -1;
    }
    /* Threads own ranges of targets: of about equal size to count, of
       about equal in-degree to fill (each scans every arc, but writes only
       its own lists, so the random writes are shared out). */
    s_in_share_t shares[ZP_PARALLEL_MAX];
    uint32_t t = zp_parallel_threads (m, 4u << 20);
    for (uint32_t k = 0; k < t; k++)
        shares[k] = (s_in_share_t){g, n * k / t, n * (k + 1) / t, off, src};
    zp_parallel (s_in_count, shares, sizeof *shares, t);
    for (uint64_t i = 0; i < n; i++)
        off[i + 1] += off[i];
    uint64_t v = 0;
    for (uint32_t k = 0; k < t; k++) {
        shares[k].lo = v;
        while (v < n && (k + 1 == t || off[v] < m * (k + 1) / t))
            v++;
        shares[k].hi = v;
    }
    zp_parallel (s_in_fill, shares, sizeof *shares, t);
    for (uint64_t i = n; i > 0; i--)
        off[i] = off[i - 1];
    off[0] = 0;
    g->in_offsets = off;
    g->in_sources = src;
    return 0;
}

int64_t zp_graph_index (const zp_graph_t *g, uint64_t id)
{
    uint64_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (g->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->n && g->ids[lo] == id ? (int64_t) lo : -1;
}

int zp_format_u64 (char *buf, size_t len, uint64_t value, bool negative)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char digits[20];
    int n = 0;
    while (value >= 100) { /* two digits a division */
        unsigned pair = (unsigned) (value % 100) * 2;
        value /= 100;
        digits[n++] = pairs[pair + 1];
        digits[n++] = pairs[pair];
    }
    if (value >= 10) {
        digits[n++] = pairs[value * 2 + 1];
        digits[n++] = pairs[value * 2];
    } else
        digits[n++] = (char) ('0' + value);
    size_t need = (size_t) n + negative;
    if (need >= len)
        return (int) need; /* as snprintf: what it would take */
    char *at = buf;
    if (negative)
        *at++ = '-';
    while (n)
        *at++ = digits[--n];
    *at = 0;
    return (int) need;
}

int zp_format_value (char *buf, size_t len, zp_value_t value, zp_type_t type)
{
    /* Integers by hand: snprintf took a third of writing a BFS's output. */
    if (type == ZP_I64)
        return zp_format_u64 (buf, len,
                              value.i64 < 0 ? 0 - (uint64_t) value.i64 : (uint64_t) value.i64,
                              value.i64 < 0);
    if (type == ZP_U64)
        return zp_format_u64 (buf, len, value.u64, false);
    if (isinf (value.f64))
        return snprintf (buf, len, "%sinfinity", value.f64 < 0 ? "-" : "");
    return snprintf (buf, len, "%.15e", value.f64);
}

int zp_graph_write_values (const zp_graph_t *g, const zp_value_t *values, zp_type_t type,
                           const char *path, char *err, size_t errlen)
{
    zp_output_t how = {ZP_OUTPUT_TEXT, NULL, 1, type, NULL};
    return zp_output_write (g, values, &how, path, err, errlen);
}

int zp_graph_write_formatted (const zp_graph_t *g, const zp_value_t *values, size_t words,
                              int (*format) (const void *value, char *buf, size_t len),
                              const char *path, char *err, size_t errlen)
{
    zp_output_t how = {ZP_OUTPUT_TEXT, NULL, words, ZP_STRUCT, format};
    return zp_output_write (g, values, &how, path, err, errlen);
}

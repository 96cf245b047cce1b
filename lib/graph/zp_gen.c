/*  zp_gen: the R-MAT generator and its writers. See zp_gen.h.

    Edges are generated as 64-bit keys (source << 32 | target), sorted with
    an LSD radix sort (four passes of 16 bits: seconds, not minutes, for
    2^24 edges) and deduplicated in one sweep, which also yields the CSR.
    The text writer formats numbers by hand into a large buffer: fprintf
    would take most of the time.
*/
#include "zp_gen.h"
#include "zp_balance.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xoshiro-style 64-bit generator: splitmix64 over a counter. */
static inline uint64_t s_next (uint64_t *state)
{
    return zp_mix64 ((*state)++);
}

static int s_radix_sort (uint64_t *keys, size_t n)
{
    uint64_t *tmp = malloc ((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return -1;
    for (int pass = 0; pass < 4; pass++) {
        int shift = pass * 16;
        size_t count[65537] = {0};
        for (size_t i = 0; i < n; i++)
            count[((keys[i] >> shift) & 0xffff) + 1]++;
        for (int b = 0; b < 65536; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[(keys[i] >> shift) & 0xffff]++] = keys[i];
        uint64_t *swap = keys;
        memcpy (swap, tmp, n * sizeof *tmp);
    }
    free (tmp);
    return 0;
}

zp_graph_t *zp_gen_rmat (uint32_t scale, uint32_t edge_factor, uint64_t seed, char *err,
                         size_t errlen)
{
    if (scale < 1 || scale > 31 || edge_factor < 1 || edge_factor > 1024) {
        snprintf (err, errlen, "scale must be 1 to 31 and edge factor 1 to 1024");
        return NULL;
    }
    uint64_t n = 1ull << scale, m = n * edge_factor;
    uint64_t *keys = malloc (m * sizeof *keys);
    uint32_t *perm = malloc (n * sizeof *perm);
    zp_graph_t *g = calloc (1, sizeof *g);
    if (!keys || !perm || !g) {
        free (keys);
        free (perm);
        free (g);
        snprintf (err, errlen, "out of memory for 2^%u vertices and %" PRIu64 " edges", scale, m);
        return NULL;
    }
    /* A random permutation of the vertex ids (Fisher-Yates). */
    uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (uint64_t i = 0; i < n; i++)
        perm[i] = (uint32_t) i;
    for (uint64_t i = n - 1; i > 0; i--) {
        uint64_t j = s_next (&state) % (i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    /* Quadrants with a = 0.57, b = 0.19, c = 0.19, d = 0.05, as thresholds
       on a 32-bit draw (two levels per 64-bit random number). */
    const uint32_t ta = (uint32_t) (0.57 * 4294967296.0), tb = (uint32_t) (0.76 * 4294967296.0),
                   tc = (uint32_t) (0.95 * 4294967296.0);
    size_t kept = 0;
    for (uint64_t e = 0; e < m; e++) {
        uint32_t src = 0, dst = 0;
        uint64_t r = 0;
        for (uint32_t level = 0; level < scale; level++) {
            if (!(level & 1))
                r = s_next (&state);
            uint32_t x = (uint32_t) (level & 1 ? r >> 32 : r);
            uint32_t bit = 1u << (scale - 1 - level);
            if (x >= tc)
                src |= bit, dst |= bit;
            else if (x >= tb)
                src |= bit;
            else if (x >= ta)
                dst |= bit;
        }
        src = perm[src];
        dst = perm[dst];
        if (src != dst)
            keys[kept++] = (uint64_t) src << 32 | dst;
    }
    free (perm);
    if (s_radix_sort (keys, kept) != 0) {
        free (keys);
        free (g);
        snprintf (err, errlen, "out of memory sorting the edges");
        return NULL;
    }
    /* Deduplicate, then build the CSR in place of the keys. */
    g->n = n;
    g->directed = true;
    g->ids = malloc (n * sizeof *g->ids);
    g->offsets = calloc (n + 1, sizeof *g->offsets);
    g->targets = malloc ((kept ? kept : 1) * sizeof *g->targets);
    if (!g->ids || !g->offsets || !g->targets) {
        free (keys);
        zp_graph_destroy (&g);
        snprintf (err, errlen, "out of memory");
        return NULL;
    }
    uint64_t arcs = 0;
    for (size_t i = 0; i < kept; i++) {
        if (i && keys[i] == keys[i - 1]) {
            g->dropped_duplicates++;
            continue;
        }
        g->offsets[(keys[i] >> 32) + 1]++;
        g->targets[arcs++] = (uint32_t) keys[i];
    }
    free (keys);
    for (uint64_t i = 0; i < n; i++) {
        g->ids[i] = i;
        g->offsets[i + 1] += g->offsets[i];
    }
    g->m = g->edges = arcs;
    g->dropped_self_loops = m - kept;
    return g;
}

int zp_gen_weigh (zp_graph_t *g, uint64_t seed, char *err, size_t errlen)
{
    free (g->weights);
    g->weights = malloc ((g->m ? g->m : 1) * sizeof *g->weights);
    if (!g->weights) {
        snprintf (err, errlen, "out of memory for %" PRIu64 " weights", g->m);
        return -1;
    }
    for (uint64_t v = 0; v < g->n; v++)
        for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
            uint64_t k = zp_mix64 (seed ^ zp_mix64 (g->ids[v] << 32 ^ g->ids[g->targets[e]]));
            g->weights[e] = (double) (k % 65536 + 1) / 65536.0;
        }
    return 0;
}

/* Writes "a b\n" or "a\n" lines fast. */
typedef struct {
    FILE *f;
    char buf[1 << 16];
    size_t at;
} s_out_t;

static void s_flush (s_out_t *o)
{
    fwrite (o->buf, 1, o->at, o->f);
    o->at = 0;
}

static inline void s_num (s_out_t *o, uint64_t v, char end)
{
    if (o->at + 24 > sizeof o->buf)
        s_flush (o);
    char digits[20];
    int k = 0;
    do
        digits[k++] = (char) ('0' + v % 10);
    while ((v /= 10));
    while (k)
        o->buf[o->at++] = digits[--k];
    o->buf[o->at++] = end;
}

static int s_open_out (s_out_t *o, const char *prefix, const char *ext, char *err, size_t errlen)
{
    char path[4096];
    snprintf (path, sizeof path, "%s%s", prefix, ext);
    o->at = 0;
    if (!(o->f = fopen (path, "w"))) {
        snprintf (err, errlen, "%s: cannot write: %s", path, strerror (errno));
        return -1;
    }
    return 0;
}

static int s_close_out (s_out_t *o, const char *prefix, const char *ext, char *err, size_t errlen)
{
    s_flush (o);
    if (ferror (o->f) | (fclose (o->f) != 0)) {
        snprintf (err, errlen, "%s%s: write failed: %s", prefix, ext, strerror (errno));
        return -1;
    }
    return 0;
}

int zp_gen_write (const zp_graph_t *g, const char *prefix, char *err, size_t errlen)
{
    s_out_t *o = malloc (sizeof *o);
    if (!o) {
        snprintf (err, errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    if (s_open_out (o, prefix, ".v", err, errlen) != 0)
        goto done;
    for (uint64_t i = 0; i < g->n; i++)
        s_num (o, g->ids[i], '\n');
    if (s_close_out (o, prefix, ".v", err, errlen) != 0 ||
        s_open_out (o, prefix, ".e", err, errlen) != 0)
        goto done;
    for (uint64_t v = 0; v < g->n; v++)
        for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
            s_num (o, g->ids[v], ' ');
            if (!g->weights) {
                s_num (o, g->ids[g->targets[e]], '\n');
                continue;
            }
            /* k / 65536 has at most 16 decimals: %.17g writes it exactly. */
            s_num (o, g->ids[g->targets[e]], ' ');
            if (o->at + 32 > sizeof o->buf)
                s_flush (o);
            o->at += (size_t) snprintf (o->buf + o->at, 32, "%.17g\n", g->weights[e]);
        }
    if (s_close_out (o, prefix, ".e", err, errlen) != 0)
        goto done;
    const char *base = strrchr (prefix, '/') ? strrchr (prefix, '/') + 1 : prefix;
    char path[4096];
    snprintf (path, sizeof path, "%s.properties", prefix);
    FILE *p = fopen (path, "w");
    if (!p) {
        snprintf (err, errlen, "%s: cannot write: %s", path, strerror (errno));
        goto done;
    }
    /* BFS and SSSP start at the vertex with the most out-edges (the first
       such): in a power-law graph it reaches most of the others, where a
       vertex taken at random often reaches none. */
    uint64_t source = 0;
    for (uint64_t v = 1; v < g->n; v++)
        if (g->offsets[v + 1] - g->offsets[v] > g->offsets[source + 1] - g->offsets[source])
            source = v;
    source = g->n ? g->ids[source] : 0;
    fprintf (p,
             "# R-MAT graph (a=0.57, b=0.19, c=0.19), made by zpregel gen rmat\n"
             "graph.%s.vertex-file = %s.v\ngraph.%s.edge-file = %s.e\n"
             "graph.%s.meta.vertices = %" PRIu64 "\ngraph.%s.meta.edges = %" PRIu64 "\n"
             "graph.%s.directed = true\ngraph.%s.algorithms = bfs, cdlp, lcc, pr, %swcc\n"
             "graph.%s.bfs.source-vertex = %" PRIu64 "\ngraph.%s.cdlp.max-iterations = 10\n"
             "graph.%s.pr.damping-factor = 0.85\ngraph.%s.pr.num-iterations = 10\n",
             base, base, base, base, base, g->n, base, g->edges, base, base,
             g->weights ? "sssp, " : "", base, source, base, base, base);
    if (g->weights)
        fprintf (p,
                 "graph.%s.edge-properties.names = weight\n"
                 "graph.%s.edge-properties.types = real\n"
                 "graph.%s.sssp.weight-property = weight\n"
                 "graph.%s.sssp.source-vertex = %" PRIu64 "\n",
                 base, base, base, base, source);
    if (fclose (p) != 0) {
        snprintf (err, errlen, "%s: write failed", path);
        goto done;
    }
    snprintf (path, sizeof path, "%s.zpg", prefix);
    rc = zp_graph_write_binary (g, path, err, errlen);
done:
    free (o);
    return rc;
}

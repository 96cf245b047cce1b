/*  zp_mirror: the neighbours' values a worker reads in place. See
    zp_mirror.h.
*/
#include "zp_mirror.h"
#include "zp_grow.h"
#include "zp_partition_internal.h"

#include <stdlib.h>
#include <string.h>

/* Runs `body` with `h` each out- and in-neighbour's handle of local
   vertex v (in an undirected graph, the in-edges are the out-edges). */
#define S_EACH_NEIGHBOUR(p, v, h, body)                                                            \
    do {                                                                                           \
        for (uint64_t e_ = (p)->out_off[v]; e_ < (p)->out_off[(v) + 1]; e_++) {                    \
            uint32_t h = (p)->out_tgt[e_];                                                         \
            body;                                                                                  \
        }                                                                                          \
        for (uint64_t e_ = (p)->in_off[v]; (p)->directed && e_ < (p)->in_off[(v) + 1]; e_++) {     \
            uint32_t h = (p)->in_src[e_];                                                          \
            body;                                                                                  \
        }                                                                                          \
    } while (0)

int zp_mirror_build (zp_partition_t *p)
{
    zp_mirror_t *m = &p->mirror;
    if (!(p->program->flags & ZP_READS_NEIGHBOURS))
        return 0;
    uint64_t nv = p->n_vertices;
    uint32_t n = p->n, lo = p->lo, hi = p->lo + p->n;
    m->view = calloc (nv ? nv : 1, sizeof *m->view);
    m->to_off = calloc ((size_t) n + 1, sizeof *m->to_off);
    m->box = calloc (p->n_workers, sizeof *m->box);
    uint32_t *stamp = calloc (p->n_workers, sizeof *stamp);
    uint8_t *read = calloc (nv / 8 + 1, 1); /* a bit a remote handle read here */
    size_t n_to = 0, cap_to = 0, cap_in = 0;
    if (!m->view || !m->to_off || !m->box || !stamp || !read)
        goto oom;
    /* The workers each vertex goes to: those that own one of its
       neighbours (stamp[w] == v + 1 once w is listed for v). */
    for (uint32_t v = 0; v < n; v++) {
        S_EACH_NEIGHBOUR (p, v, h, {
            if (h >= lo && h < hi)
                continue;
            read[h >> 3] |= (uint8_t) (1u << (h & 7));
            uint32_t w = zp_owner (p, h);
            if (stamp[w] == v + 1)
                continue;
            stamp[w] = v + 1;
            uint32_t *to = zp_grow (m->to, &cap_to, n_to, sizeof *to, 64);
            if (!to)
                goto oom;
            m->to = to;
            m->to[n_to++] = w;
        });
        m->to_off[v + 1] = (uint32_t) n_to;
    }
    for (uint64_t h = 0; h < nv; h++)
        if ((read[h >> 3] >> (h & 7)) & 1) {
            uint32_t *in = zp_grow (m->in, &cap_in, m->n_in, sizeof *in, 64);
            if (!in)
                goto oom;
            m->in = in;
            m->in[m->n_in++] = (uint32_t) h;
        }
    free (stamp);
    free (read);
    return 0;
oom:
    free (stamp);
    free (read);
    return -1;
}

void zp_mirror_free (zp_partition_t *p)
{
    zp_mirror_t *m = &p->mirror;
    free (m->view);
    free (m->to_off);
    free (m->to);
    free (m->in);
    for (uint32_t w = 0; m->box && w < p->n_workers; w++)
        zp_box_free (&m->box[w]);
    free (m->box);
    memset (m, 0, sizeof *m);
}

int zp_mirror_check (const zp_partition_t *p, const zp_batch_view_t *view)
{
    const zp_batch_header_t *h = &view->header;
    if (!p->mirror.view || h->src >= p->n_workers)
        return ZP_ERANGE;
    if (h->type != p->program->value_type)
        return ZP_ETYPE;
    uint64_t lo = p->ranges[h->src], hi = p->ranges[h->src + 1];
    for (size_t i = 0; i < h->count; i++) {
        uint64_t id = zp_batch_id (view, i);
        if (id < lo || id >= hi)
            return ZP_ERANGE;
    }
    return 0;
}

void zp_mirror_deliver (zp_partition_t *p, const zp_batch_view_t *view)
{
    zp_mirror_t *m = &p->mirror;
    for (size_t i = 0; i < view->header.count; i++)
        m->view[zp_batch_id (view, i)] = zp_batch_value (view, i);
}

/* Sends the mirror box of worker dst as a batch. */
static int s_flush (zp_partition_t *p, uint32_t dst)
{
    if (!p->failed)
        p->mirror.sent += p->mirror.box[dst].count;
    return zp_partition_send_box (p, dst, &p->mirror.box[dst], p->program->value_type,
                                  ZP_BATCH_MIRROR);
}

int zp_mirror_send (zp_partition_t *p)
{
    zp_mirror_t *m = &p->mirror;
    m->sent = 0;
    if (!m->view)
        return 0;
    size_t limit = zp_batch_limit (p);
    bool all = p->step == 0; /* the view holds nothing yet */
    for (uint32_t v = 0; v < p->n; v++) {
        zp_value_t now = p->values[v], *seen = &m->view[(uint64_t) p->lo + v];
        if (!all && now.bits == seen->bits)
            continue;
        *seen = now;
        for (uint32_t k = m->to_off[v]; k < m->to_off[v + 1]; k++) {
            uint32_t w = m->to[k];
            if (zp_box_push (&m->box[w], p->lo + v, now) != 0) {
                p->failed = -1;
                return -1;
            }
            if (m->box[w].count >= limit && s_flush (p, w) != 0)
                return -1;
        }
    }
    for (uint32_t w = 0; w < p->n_workers; w++)
        if (s_flush (p, w) != 0)
            return -1;
    return 0;
}

void zp_mirror_restored (zp_partition_t *p)
{
    if (p->mirror.view)
        memcpy (p->mirror.view + p->lo, p->values, (size_t) p->n * sizeof *p->values);
}

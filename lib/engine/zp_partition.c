/*  zp_partition: a worker's vertices and one superstep of compute on its
    lanes. See zp_partition.h for the three message paths, and
    zp_partition_internal.h for the files the partition is made of.
*/
#include "zp_partition_internal.h"
#include "zp_crash.h"
#include "zp_ticker.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lane the calling thread computes, for crash reports. */
static _Thread_local const zp_lane_t *s_current;
static int s_lanes_new (zp_partition_t *p, uint32_t threads);

/* What the inline calls of zp_program.h read: the superstep's fields,
   set before init() and each compute, and the vertex's, set before each
   call. */
static void s_vertex_step (zp_partition_t *p)
{
    p->vertex_step = (zp_vertex_step_t){
        .superstep = p->step,
        .checked = p->checked,
        .combined = p->path == ZP_PATH_COMBINED,
        .vertex_count = p->n_vertices,
        .state = p->state,
        .aggregated = p->agg_prev,
        .n_aggregators = p->program->n_aggregators,
        .view = p->step > 0 ? p->mirror.view : NULL, /* init () runs before superstep 0 */
        .out_target = p->out_tgt,
        .in_offset = p->in_off,
        .in_source = p->in_src,
        .local_values = p->values,
        .local_words = p->words,
        .local_lo = p->lo,
        .local_n = p->n,
        .directed = p->directed,
    };
    p->shares = p->pull_ok && !p->initializing && !p->checked ? p->program->message_type : 0;
}
static inline void s_vertex_at (zp_vertex_t *vx, zp_lane_t *l, uint32_t v,
                                const zp_value_t *message)
{
    zp_partition_t *p = vx->p;
    vx->v = l->vertex = v;
    vx->value = &p->values[(size_t) v * p->words];
    vx->message = message;
    vx->out_offset = &p->out_off[v];
    vx->halted = &p->halted[v];
}

/* Copies a typed array from a frame into new aligned memory. */
static void *s_copy (const uint8_t *src, size_t bytes)
{
    void *dst = malloc (bytes ? bytes : 1);
    if (dst && bytes)
        memcpy (dst, src, bytes);
    return dst;
}

static int s_check_csr (const uint64_t *off, size_t n, size_t m, const uint32_t *tgt,
                        uint64_t n_vertices)
{
    if (off[0] != 0 || off[n] != m)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (off[i + 1] < off[i])
            return -1;
    for (size_t i = 0; i < m; i++)
        if (tgt[i] >= n_vertices)
            return -1;
    return 0;
}

uint32_t zp_partition_worker (const zp_partition_t *p)
{
    return p->worker;
}
uint32_t zp_partition_workers (const zp_partition_t *p)
{
    return p->n_workers;
}
uint64_t zp_partition_size (const zp_partition_t *p)
{
    return p->n;
}

const char *zp_partition_error (const zp_partition_t *p)
{
    return p->error[0] ? p->error : NULL;
}

uint32_t zp_partition_vertex (const zp_partition_t *p, uint64_t *id)
{
    const zp_lane_t *l = s_current;
    if (!l || l < p->lanes || l >= p->lanes + p->n_lanes || l->vertex == UINT32_MAX)
        return UINT32_MAX;
    if (id)
        *id = p->ids[l->vertex];
    return l->vertex;
}

uint32_t zp_partition_threads (const zp_partition_t *p)
{
    return p->n_lanes;
}

bool zp_partition_pulled (const zp_partition_t *p)
{
    return p->pulling;
}

uint32_t zp_partition_step (const zp_partition_t *p)
{
    return p->step;
}

const char *zp_partition_program_name (const zp_partition_t *p)
{
    return p->program->name;
}

const zp_value_t *zp_partition_values (const zp_partition_t *p)
{
    return p->values;
}

zp_partition_t *zp_partition_new (const zp_assign_t *a, const zp_program_t *program, char *err,
                                  size_t errlen)
{
    zp_partition_t *p = calloc (1, sizeof *p);
    if (!p) {
        snprintf (err, errlen, "out of memory");
        return NULL;
    }
    p->program = program;
    p->params.program = program;
    p->job = a->job;
    p->worker = a->worker;
    p->n_workers = a->n_workers;
    p->n_sources = a->n_workers + a->n_routers;
    p->n_vertices = a->n_vertices;
    p->directed = a->directed;
    p->settings = a->settings;
    p->checked = a->settings.check_program != 0;
    p->settings.checkpoint_dir = NULL; /* points into the ASSIGN frame: the worker keeps a copy */
    p->settings.checkpoint_dir_len = 0;
    if (a->n_params != program->n_params) {
        snprintf (err, errlen, "ASSIGN has %zu parameters, program %s has %zu", a->n_params,
                  program->name, program->n_params);
        goto fail;
    }
    for (size_t i = 0; i < a->n_params; i++)
        p->params.values[i].bits = zp_load_u64 (a->params + 8 * i);
    p->ranges = s_copy (a->ranges, ((size_t) a->n_workers + 1) * 4);
    if (!p->ranges)
        goto oom;
    for (uint32_t w = 0; w < a->n_workers; w++)
        if (p->ranges[w + 1] < p->ranges[w]) {
            snprintf (err, errlen, "ASSIGN: worker ranges are not ascending");
            goto fail;
        }
    if (p->ranges[0] != 0 || p->ranges[a->n_workers] != a->n_vertices) {
        snprintf (err, errlen, "ASSIGN: worker ranges do not cover the graph");
        goto fail;
    }
    p->lo = p->ranges[p->worker];
    p->n = p->ranges[p->worker + 1] - p->lo;
    size_t n = p->n, m = a->n_edges;
    p->ids = s_copy (a->ids, n * 8);
    p->out_off = s_copy (a->out_offsets, (n + 1) * 8);
    p->out_tgt = s_copy (a->out_targets, m * 4);
    if (!p->ids || !p->out_off || !p->out_tgt)
        goto oom;
    if (s_check_csr (p->out_off, n, m, p->out_tgt, p->n_vertices) != 0) {
        snprintf (err, errlen, "ASSIGN: out-edge arrays are inconsistent");
        goto fail;
    }
    if (a->out_weights && !(p->out_w = s_copy (a->out_weights, m * 8)))
        goto oom;
    if ((program->flags & ZP_NEEDS_WEIGHTS) && !p->out_w) {
        snprintf (err, errlen, "program %s needs edge weights, and the graph has none",
                  program->name);
        goto fail;
    }
    if (a->vertex_values && !(p->input = s_copy (a->vertex_values, (size_t) n * 8)))
        goto oom;
    if ((program->flags & ZP_NEEDS_VERTEX_VALUES) && !a->vertex_values) {
        snprintf (err, errlen, "program %s reads vertex values, and ASSIGN has none",
                  program->name);
        goto fail;
    }
    if (a->in_offsets) {
        p->in_off = s_copy (a->in_offsets, (n + 1) * 8);
        p->in_src = s_copy (a->in_targets, a->n_in_edges * 4);
        if (!p->in_off || !p->in_src)
            goto oom;
        if (s_check_csr (p->in_off, n, a->n_in_edges, p->in_src, p->n_vertices) != 0) {
            snprintf (err, errlen, "ASSIGN: in-edge arrays are inconsistent");
            goto fail;
        }
    } else if (zp_program_in_edges (program)) {
        snprintf (err, errlen, "program %s needs in-edges, and ASSIGN has none", program->name);
        goto fail;
    }
    p->words = zp_program_value_words (program);
    p->values = calloc (n ? n * p->words : 1, sizeof *p->values);
    p->halted = calloc (n ? n : 1, 1);
    p->sent = calloc (p->n_workers, sizeof *p->sent);
    p->received = calloc (p->n_sources, sizeof *p->received);
    p->outbox = calloc (p->n_workers, sizeof *p->outbox);
    p->inbound = calloc (p->n_sources, sizeof *p->inbound);
    if (!p->values || !p->halted || !p->sent || !p->received || !p->outbox || !p->inbound)
        goto oom;

    if (zp_program_wire_type (program) == ZP_BYTES) /* byte strings, or structs as such */
        p->path = ZP_PATH_BYTES;
    else if (program->combiner == ZP_COMBINE_NONE)
        p->path = ZP_PATH_LISTED;
    else
        p->path = ZP_PATH_COMBINED;
    if (p->path == ZP_PATH_COMBINED) {
        bool f = program->message_type == ZP_F64, u = program->message_type == ZP_U64;
        switch (program->combiner) {
        case ZP_COMBINE_SUM:
            p->op = f ? ZP_OP_SUM_F64 : ZP_OP_SUM_I64;
            break;
        case ZP_COMBINE_MIN:
            p->op = f ? ZP_OP_MIN_F64 : u ? ZP_OP_MIN_U64 : ZP_OP_MIN_I64;
            break;
        case ZP_COMBINE_MAX:
            p->op = f ? ZP_OP_MAX_F64 : u ? ZP_OP_MAX_U64 : ZP_OP_MAX_I64;
            break;
        default:
            p->op = ZP_OP_FN;
        }
        p->identity = zp_combiner_identity (program->combiner, program->message_type);
        p->monotone = (program->flags & ZP_MONOTONE) && zp_selects (p->op);
        p->pull_ok = a->settings.pull && p->op != ZP_OP_FN;
        if (p->pull_ok) {
            p->share = malloc ((n ? n : 1) * sizeof *p->share);
            p->share_set = calloc (n ? n : 1, 1);
            if (!p->share || !p->share_set)
                goto oom;
            for (uint32_t v = 0; v < n; v++)
                p->share[v] = p->identity;
        }
        uint64_t nv = p->n_vertices;
        for (int b = 0; b < 2; b++) {
            p->combine[b] = malloc ((nv ? nv : 1) * sizeof (zp_value_t));
            p->touched[b] = calloc (nv ? nv : 1, 1);
            p->dirty[b] = calloc (zp_blocks (nv), 1);
            if (!p->combine[b] || !p->touched[b] || !p->dirty[b])
                goto oom;
            for (uint64_t i = 0; i < nv; i++)
                p->combine[b][i] = p->identity;
        }
    } else {
        p->inbox_off = calloc (n + 1, sizeof *p->inbox_off);
        if (!p->inbox_off)
            goto oom;
    }
    for (size_t i = 0; i < program->n_aggregators; i++)
        p->agg_prev[i] =
            zp_combiner_identity (program->aggregators[i].op, program->aggregators[i].type);
    if (s_lanes_new (p, a->settings.threads) != 0 || zp_mirror_build (p) != 0)
        goto oom;
    if (p->pull_ok) {
        if (!(p->slot = malloc ((n ? n : 1) * sizeof *p->slot)))
            goto oom;
        for (uint32_t i = 0; i < p->n_lanes; i++)
            zp_pull_order (p->lanes[i].from, p->lanes[i].to, p->out_off, p->slot);
        /* The pull index is built with the partition, on its threads, as
           the in-edges of a graph are built when it is loaded: a
           superstep that is the first dense one (BFS's second, PageRank's
           first) would otherwise spend most of its time building it (at
           R-MAT scale 20, ~0.2 s of BFS's 0.3 s superstep). On threads
           of a pool of its own, as many as the lanes: the compute threads
           start with the first compute, so that they are watched for
           crashes as it is (s_lanes_new), and this is the engine's code,
           not the program's. Without memory for it the partition pushes,
           as s_dense does. */
        zp_pool_t *build = p->n_lanes > 1 ? zp_pool_new (p->n_lanes, NULL, NULL, NULL) : NULL;
        if (zp_pull_build (&p->pull, p->n, p->out_off, p->out_tgt, p->slot, p->n_vertices, build,
                           build ? p->n_lanes : 1, NULL, NULL) != 0)
            p->pull_ok = false;
        zp_pool_destroy (&build);
    }

    if (program->setup) {
        char perr[256] = "";
        if (program->setup (&p->params, &p->state, perr, sizeof perr) != 0) {
            snprintf (err, errlen, "program %s: %s", program->name,
                      perr[0] ? perr : "setup failed");
            goto fail;
        }
        p->state_set = true;
    }
    if (program->init) {
        zp_lane_t *l = &p->lanes[0];
        zp_vertex_t vx = {.step = &p->vertex_step, .p = p, .lane = l};
        s_current = l;
        p->initializing = true;
        s_vertex_step (p);
        for (uint32_t v = 0; v < p->n && !l->failed; v++) {
            s_vertex_at (&vx, l, v, NULL);
            program->init (&vx);
        }
        p->initializing = false;
        l->vertex = UINT32_MAX;
        s_current = NULL;
        if (l->failed) {
            snprintf (err, errlen, "%s (in init)", l->error);
            goto fail;
        }
    }
    zp_partition_wake_blocks (p);
    return p;
oom:
    snprintf (err, errlen, "out of memory for a partition of %u vertices", p->n);
fail:
    zp_partition_destroy (&p);
    return NULL;
}

void zp_partition_destroy (zp_partition_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zp_partition_t *p = *self_p;
    if (p->state_set && p->program->teardown)
        p->program->teardown (p->state);
    free (p->ranges);
    free (p->ids);
    free (p->out_off);
    free (p->out_tgt);
    free (p->out_w);
    free (p->in_off);
    free (p->in_src);
    free (p->values);
    free (p->input);
    free (p->halted);
    free (p->sent);
    free (p->received);
    for (int b = 0; b < 2; b++) {
        free (p->combine[b]);
        free (p->touched[b]);
        free (p->dirty[b]);
    }
    zp_pull_free (&p->pull);
    zp_mirror_free (p);
    free (p->share);
    free (p->share_set);
    free (p->slot);
    zp_pool_destroy (&p->pool);
    for (uint32_t i = 0; p->lanes && i < p->n_lanes; i++) {
        zp_lane_t *l = &p->lanes[i];
        free (l->own_combine);
        free (l->own_touched);
        free (l->own_dirty);
        free (l->awake);
        free (l->awake_next);
        free (l->senders);
        for (uint32_t w = 0; l->boxes && w < p->n_workers; w++)
            zp_box_free (&l->boxes[w]);
        free (l->boxes);
        free (l->scratch);
    }
    free (p->lanes);
    for (uint32_t w = 0; p->outbox && w < p->n_workers; w++)
        zp_box_free (&p->outbox[w]);
    for (uint32_t w = 0; p->inbound && w < p->n_sources; w++)
        zp_box_free (&p->inbound[w]);
    free (p->outbox);
    free (p->inbound);
    free (p->inbox_off);
    free (p->inbox_val);
    free (p->inbox_at);
    free (p->inbox_len);
    zp_box_free (&p->self_inbox);
    free (p);
    *self_p = NULL;
}

int zp_partition_check_batch (const zp_partition_t *p, const zp_batch_view_t *view)
{
    const zp_batch_header_t *h = &view->header;
    if (h->job != p->job || h->dst != p->worker || h->src >= p->n_sources || h->src == p->worker)
        return ZP_ERANGE;
    if (h->flags & ZP_BATCH_MIRROR)
        return zp_mirror_check (p, view);
    if (h->type != zp_program_wire_type (p->program))
        return ZP_ETYPE;
    uint64_t lo = p->lo, hi = (uint64_t) p->lo + p->n;
    for (size_t i = 0; i < h->count; i++) {
        uint64_t id = zp_batch_id (view, i);
        if (id < lo || id >= hi)
            return ZP_ERANGE;
    }
    /* Struct messages are read in place: each must be exactly one. */
    size_t size = zp_program_message_bytes (p->program);
    if (size) {
        zp_batch_view_t each = *view;
        for (size_t i = 0; i < h->count; i++) {
            const uint8_t *data;
            size_t len;
            if (zp_batch_next_bytes (&each, &data, &len) != 0 || len != size)
                return ZP_ERANGE;
        }
    }
    return 0;
}

void zp_partition_begin (zp_partition_t *p, uint32_t step, const uint8_t *aggregates, size_t n)
{
    p->step = step;
    for (uint32_t l = 0; l < p->n_lanes; l++) {
        p->lanes[l].messages = 0;
        p->lanes[l].shared = 0;
        p->lanes[l].share_marks = false;
        p->lanes[l].share_mixed = false;
    }
    for (size_t i = 0; i < p->program->n_aggregators; i++) {
        const zp_aggregator_def_t *d = &p->program->aggregators[i];
        if (i < n)
            p->agg_prev[i].bits = zp_load_u64 (aggregates + 8 * i);
        for (uint32_t l = 0; l < p->n_lanes; l++)
            p->lanes[l].agg[i] = zp_combiner_identity (d->op, d->type);
    }
    memset (p->sent, 0, p->n_workers * sizeof *p->sent);
    memset (p->received, 0, p->n_sources * sizeof *p->received);
    for (uint32_t w = 0; w < p->n_sources; w++)
        zp_box_clear (&p->inbound[w]);
}

int zp_partition_deliver (zp_partition_t *p, zp_batch_view_t *view)
{
    const zp_batch_header_t *h = &view->header;
    size_t n = h->count;
    if (h->flags & ZP_BATCH_MIRROR) {
        zp_mirror_deliver (p, view);
        return 0;
    }
    p->received[h->src] += n;
    if (p->path == ZP_PATH_COMBINED) {
        /* Messages sent in the previous superstep were combined into the buffer of its parity. */
        uint32_t b = (p->step + 1) & 1;
        zp_value_t *buf = p->combine[b];
        uint8_t *bits = p->touched[b], *dirty = p->dirty[b];
        for (size_t i = 0; i < n; i++) {
            uint64_t id = zp_batch_id (view, i);
            zp_value_t m = zp_batch_value (view, i);
            dirty[id >> ZP_BLOCK] = 1;
            if (p->op == ZP_OP_FN) {
                if (zp_flag (bits, id))
                    p->program->combine (&buf[id], m);
                else
                    buf[id] = m;
            } else
                zp_combine (&buf[id], m, p->program->combiner, p->program->message_type);
            zp_flag_set (bits, id);
        }
        return 0;
    }
    zp_box_t *box = &p->inbound[h->src];
    if (zp_box_reserve (box, n, p->path == ZP_PATH_LISTED, p->path == ZP_PATH_BYTES) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        box->ids[box->count] = (uint32_t) zp_batch_id (view, i);
        if (p->path == ZP_PATH_LISTED)
            box->values[box->count] = zp_batch_value (view, i);
        else {
            const uint8_t *data;
            size_t len;
            if (zp_batch_next_bytes (view, &data, &len) != 0 || zp_box_reserve_data (box, len) != 0)
                return -1;
            if (len)
                memcpy (box->data + box->data_size, data, len);
            box->data_size += len;
            box->offsets[box->count + 1] = box->data_size;
        }
        box->count++;
    }
    return 0;
}

/* Builds the listed/bytes inbox as a CSR over local vertices from our own
   outbox and the inbound boxes, in source-worker order. */
int zp_partition_build_inbox (zp_partition_t *p)
{
    uint64_t *off = p->inbox_off;
    memset (off, 0, ((size_t) p->n + 1) * sizeof *off);
    size_t total = 0;
    for (uint32_t w = 0; w < p->n_sources; w++) {
        const zp_box_t *b = w == p->worker ? &p->outbox[w] : &p->inbound[w];
        for (size_t i = 0; i < b->count; i++)
            off[b->ids[i] - p->lo + 1]++;
        total += b->count;
    }
    for (uint32_t v = 0; v < p->n; v++)
        off[v + 1] += off[v];
    if (p->path == ZP_PATH_LISTED && total > p->inbox_val_cap) {
        free (p->inbox_val);
        p->inbox_val = malloc (total * sizeof *p->inbox_val);
        p->inbox_val_cap = p->inbox_val ? total : 0;
        if (!p->inbox_val)
            return -1;
    }
    if (p->path == ZP_PATH_BYTES && total > p->inbox_at_cap) {
        free (p->inbox_at);
        free (p->inbox_len);
        p->inbox_at = malloc (total * sizeof *p->inbox_at);
        p->inbox_len = malloc (total * sizeof *p->inbox_len);
        p->inbox_at_cap = p->inbox_at && p->inbox_len ? total : 0;
        if (!p->inbox_at_cap)
            return -1;
    }
    /* Fill: pos[v] walks from off[v]. */
    uint64_t *pos = malloc (((size_t) p->n + 1) * sizeof *pos);
    if (!pos)
        return -1;
    memcpy (pos, off, ((size_t) p->n + 1) * sizeof *pos);
    for (uint32_t w = 0; w < p->n_sources; w++) {
        const zp_box_t *b = w == p->worker ? &p->outbox[w] : &p->inbound[w];
        for (size_t i = 0; i < b->count; i++) {
            uint64_t at = pos[b->ids[i] - p->lo]++;
            if (p->path == ZP_PATH_LISTED)
                p->inbox_val[at] = b->values[i];
            else {
                p->inbox_at[at] = b->data + b->offsets[i];
                p->inbox_len[at] = b->offsets[i + 1] - b->offsets[i];
            }
        }
    }
    free (pos);
    if (p->path == ZP_PATH_BYTES) {
        /* The messages to ourselves stay where they are, in self_inbox. */
        zp_box_t kept = p->self_inbox;
        p->self_inbox = p->outbox[p->worker];
        p->outbox[p->worker] = kept;
    }
    zp_box_clear (&p->outbox[p->worker]);
    return 0;
}

int zp_partition_send_box (zp_partition_t *p, uint32_t dst, zp_box_t *b, zp_type_t type,
                           uint32_t flags)
{
    if (b->count == 0 || p->failed)
        return p->failed;
    zp_batch_out_t out = {.header = {.job = p->job,
                                     .step = p->step,
                                     .src = p->worker,
                                     .dst = dst,
                                     .type = type,
                                     .flags = flags,
                                     .count = b->count},
                          .ids = b->ids,
                          .values = b->values,
                          .offsets = b->offsets,
                          .data = b->data};
    if (p->flush (p->flush_ctx, dst, &out) != 0)
        p->failed = -1;
    zp_box_clear (b);
    return p->failed;
}

int zp_partition_flush_box (zp_partition_t *p, uint32_t dst)
{
    if (!p->failed)
        p->sent[dst] += p->outbox[dst].count;
    return zp_partition_send_box (p, dst, &p->outbox[dst], zp_program_wire_type (p->program), 0);
}

/* Packs the touched entries of worker dst's range into batches, resetting
   them to the identity as it goes. */
static int s_flush_combined (zp_partition_t *p, uint32_t dst)
{
    uint32_t b = p->step & 1;
    zp_value_t *buf = p->combine[b];
    uint8_t *flags = p->touched[b];
    const uint8_t *dirty = p->dirty[b];
    zp_box_t *box = &p->outbox[dst];
    size_t limit = zp_batch_limit (p);
    /* Room for a whole batch once, not a check a message. */
    if (zp_box_reserve (box, limit, true, false) != 0) {
        p->failed = -1;
        return -1;
    }
    /* Without a branch within a block: every entry is written at the end
       of the box and counted only if it holds a message. In a power-law
       graph about half the handles are no one's target, which the
       processor cannot predict: at R-MAT scale 20, packing and sending
       one of 2 workers' 512K entries took 3.0-3.3 ms with a branch, 1.1-1.5
       ms without. Blocks that hold nothing are passed over. */
    uint64_t lo = p->ranges[dst], hi = p->ranges[dst + 1];
    const zp_value_t identity = p->identity;
    size_t count = box->count;
    for (uint64_t i = lo; i < hi;) {
        uint64_t end = zp_block_next (i) < hi ? zp_block_next (i) : hi;
        if (!dirty[i >> ZP_BLOCK]) {
            i = end;
            continue;
        }
        for (; i < end; i++) {
            box->ids[count] = (uint32_t) i;
            box->values[count] = buf[i];
            count += zp_got (p, b, i);
            buf[i] = identity;
            flags[i] = 0;
            if (count >= limit) {
                box->count = count;
                if (zp_partition_flush_box (p, dst) != 0) /* empties the box */
                    return -1;
                count = box->count;
            }
        }
    }
    box->count = count;
    return zp_partition_flush_box (p, dst);
}

/* A lane publishes its progress every S_PROGRESS_VERTICES vertices; lane
   0 ticks every S_TICK_VERTICES (a tick polls the worker's sockets: about
   20 us, which every 4096 vertices cost a scale-20 PageRank superstep on
   one thread 8-10%), and whenever the ticker has moved. */
#define S_PROGRESS_VERTICES 4096
#define S_TICK_VERTICES     65536

/* zp_crash_site_fn: the vertex this thread computes, if any. */
static bool s_crash_site (const void *ctx, const char **program, uint64_t *step, uint64_t *vertex)
{
    const zp_partition_t *p = ctx;
    if (zp_partition_vertex (p, vertex) == UINT32_MAX)
        return false;
    *program = zp_partition_program_name (p);
    *step = zp_partition_step (p);
    return true;
}

void zp_partition_watch_crashes (zp_partition_t *p, const char *kind, const char *name)
{
    p->crash_kind = kind;
    p->crash_name = name;
    zp_crash_watch (kind, name, s_crash_site, p);
}

/* Watches a pool thread for a crash in the program, as its worker's own
   thread is watched. */
static void s_lane_start (void *arg)
{
    zp_partition_t *p = arg;
    if (p->crash_kind)
        zp_crash_watch (p->crash_kind, p->crash_name, s_crash_site, p);
}
static void s_lane_stop (void *arg)
{
    (void) arg;
    zp_crash_unwatch ();
}

/* The lanes: `threads` of them when the program may run on several
   (ZP_THREAD_SAFE), else one; one too for ZP_STRUCT messages merged on
   the receiving side (zp_message merges them into the partition's fold).
   Each gets a slice of the vertices with about the same number of
   vertices plus edges. The threads start with the first compute, on
   the thread that will be lane 0, so that they are watched as it is. */
static int s_lanes_new (zp_partition_t *p, uint32_t threads)
{
    uint32_t n = threads ? threads : 1;
    if (!(p->program->flags & ZP_THREAD_SAFE) || p->program->combine_message)
        n = 1;
    if (n > p->n)
        n = p->n ? p->n : 1;
    p->lanes = aligned_alloc (_Alignof(zp_lane_t), n * sizeof *p->lanes);
    if (!p->lanes)
        return -1;
    memset (p->lanes, 0, n * sizeof *p->lanes);
    p->n_lanes = n;
    /* A vertex's work: itself and its edges, in-edges too when the program
       has them (it reads or sends along them: CDLP, WCC). */
    const uint64_t *in = p->in_off && p->directed ? p->in_off : NULL;
    uint64_t work = (uint64_t) p->n + p->out_off[p->n] + (in ? in[p->n] : 0);
    uint32_t v = 0;
    for (uint32_t i = 0; i < n; i++) {
        zp_lane_t *l = &p->lanes[i];
        l->vertex = UINT32_MAX;
        l->from = v;
        uint64_t goal = work * (i + 1) / n;
        while (v < p->n && (uint64_t) v + p->out_off[v] + (in ? in[v] : 0) < goal)
            v++;
        l->to = i + 1 == n ? p->n : v;
        l->awake = calloc (zp_lane_blocks (l), 1);
        l->awake_next = calloc (zp_lane_blocks (l), 1);
        l->senders = malloc (((size_t) (l->to - l->from) + 1) * sizeof *l->senders);
        if (!l->awake || !l->awake_next || !l->senders)
            return -1;
        if (i == 0)
            continue;
        if (p->path != ZP_PATH_COMBINED) {
            if (!(l->boxes = calloc (p->n_workers, sizeof *l->boxes)))
                return -1;
            continue;
        }
        uint64_t nv = p->n_vertices ? p->n_vertices : 1;
        l->own_combine = malloc (nv * sizeof *l->own_combine);
        l->own_touched = calloc (nv, 1);
        l->own_dirty = calloc (zp_blocks (nv), 1);
        if (!l->own_combine || !l->own_touched || !l->own_dirty)
            return -1;
        for (uint64_t h = 0; h < p->n_vertices; h++)
            l->own_combine[h] = p->identity;
        l->combine = l->own_combine;
        l->touched = l->own_touched;
        l->dirty = l->own_dirty;
    }
    return 0;
}

void zp_partition_wake_blocks (zp_partition_t *p)
{
    for (uint32_t i = 0; i < p->n_lanes; i++) {
        zp_lane_t *l = &p->lanes[i];
        uint32_t base = l->from >> ZP_BLOCK;
        memset (l->awake, 0, zp_lane_blocks (l));
        l->n_awake = 0;
        for (uint32_t v = l->from; v < l->to; v++)
            if (!p->halted[v]) {
                l->awake[(v >> ZP_BLOCK) - base] = 1;
                l->n_awake++;
            }
    }
}

/* After a superstep that failed part way: every block is looked at again. */
static void s_blocks_all (zp_partition_t *p)
{
    uint64_t nv = p->n_vertices;
    for (int b = 0; b < 2; b++)
        if (p->dirty[b])
            memset (p->dirty[b], 1, zp_blocks (nv));
    for (uint32_t i = 0; i < p->n_lanes; i++) {
        zp_lane_t *l = &p->lanes[i];
        if (l->own_dirty)
            memset (l->own_dirty, 1, zp_blocks (nv));
        memset (l->awake, 1, zp_lane_blocks (l));
    }
}

static uint64_t s_progress (const zp_partition_t *p)
{
    uint64_t done = 0;
    for (uint32_t i = 0; i < p->n_lanes; i++)
        done += atomic_load_explicit (&p->lanes[i].done, memory_order_relaxed);
    return done;
}

/* Lane 0 waiting for the others: the worker's tick goes on. */
static void s_waiting (void *arg)
{
    zp_partition_t *p = arg;
    if (p->tick)
        p->tick (p->flush_ctx, s_progress (p));
}

/* Runs compute() on the lane's vertices that are active or have messages.
   Only lane 0 ticks: the worker's sockets are its thread's. What the loop
   reads of p for every vertex is in locals: compute() is opaque to the
   compiler, which would read p's fields again after each call. On the
   combined path it passes over the blocks where no vertex was awake and
   no message came (ZP_BLOCK); it notes the blocks of the vertices that
   stay awake, for the next superstep. */
static void s_compute_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    zp_lane_t *l = &p->lanes[index];
    zp_vertex_t vx = {.step = &p->vertex_step, .p = p, .lane = l};
    bool ticks = index == 0 && p->tick;
    uint32_t seen = zp_ticker_read (), computed = 0;
    void (*compute) (zp_vertex_t *) = p->program->compute;
    /* The combined path's inbox: one message, in place. */
    bool combined = p->path == ZP_PATH_COMBINED;
    uint32_t read = (p->step + 1) & 1;
    const zp_value_t *inbox = combined ? p->combine[read] + p->lo : NULL;
    const uint8_t *inbox_flags = combined ? p->touched[read] + p->lo : NULL;
    const uint64_t identity = p->identity.bits;
    uint8_t *halted = p->halted;
    const uint8_t *inbox_dirty = combined ? p->dirty[read] : NULL; /* by handle */
    const uint8_t *awake = l->awake;
    uint8_t *awake_next = l->awake_next;
    uint32_t base = l->from >> ZP_BLOCK, lo = p->lo;
    uint64_t n_awake = 0;
    memset (awake_next, 0, zp_lane_blocks (l));
    s_current = l;
    for (uint32_t v = l->from; v < l->to && !p->failed; v++) {
        if (combined && !inbox_dirty[(lo + v) >> ZP_BLOCK] && !awake[(v >> ZP_BLOCK) - base]) {
            /* To the next block of either kind (handles and local
               vertices are numbered from different starts). */
            uint64_t a = zp_block_next ((uint64_t) lo + v) - lo, c = zp_block_next (v);
            v = (uint32_t) (a < c ? a : c) - 1;
            continue;
        }
        bool has = combined ? zp_holds (inbox_flags, inbox, identity, v) : zp_has_messages (p, v);
        if (!has && halted[v])
            continue;
        halted[v] = 0;
        s_vertex_at (&vx, l, v, combined && has ? &inbox[v] : NULL);
        compute (&vx);
        if (!halted[v]) {
            awake_next[(v >> ZP_BLOCK) - base] = 1;
            n_awake++;
        }
        if ((++computed & (S_PROGRESS_VERTICES - 1)) == 0)
            atomic_store_explicit (&l->done, computed, memory_order_relaxed);
        if (ticks && ((computed & (S_TICK_VERTICES - 1)) == 0 || zp_ticker_read () != seen)) {
            p->tick (p->flush_ctx, s_progress (p));
            seen = zp_ticker_read ();
        }
    }
    atomic_store_explicit (&l->done, computed, memory_order_relaxed);
    l->vertex = UINT32_MAX;
    s_current = NULL;
    l->awake_next = l->awake;
    l->awake = awake_next;
    l->n_awake = n_awake;
}

/* Puts slots [from, to) back at the identity: those of a lane's
   vertices, when from and to are its. */
static void s_unshare (zp_partition_t *p, uint32_t from, uint32_t to)
{
    zp_value_t *restrict share = p->share;
    uint8_t *restrict set = p->share_set;
    const zp_value_t identity = p->identity;
    for (uint32_t v = from; v < to; v++)
        share[v] = identity;
    memset (set + from, 0, to - from);
}

/* Whether the superstep's zp_send_out_* messages are pulled: their
   senders have more than a twentieth of the partition's out-edges
   (Ligra's rule), and the index is there or can be built. It depends only
   on what compute sent, so a superstep run again after a recovery
   decides the same. Without memory for the index, the partition pushes
   from then on. */
static bool s_dense (zp_partition_t *p, uint64_t shared)
{
    if (shared <= p->out_off[p->n] / 20)
        return false;
    if (!p->pull.offset && zp_pull_build (&p->pull, p->n, p->out_off, p->out_tgt, p->slot,
                                          p->n_vertices, p->pool, p->n_lanes, s_waiting, p) != 0) {
        p->pull_ok = false; /* from the next superstep on, sends push at once */
        return false;
    }
    return true;
}

/* After compute in a sparse superstep, over the lane's senders: pushes
   each one's slot to its out-neighbours, into the lane's buffer, and puts
   it back at the identity. */
static void s_push_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    zp_lane_t *l = &p->lanes[index];
    zp_vertex_t vx = {.p = p, .lane = l};
    for (uint32_t k = 0; k < l->n_senders; k++) {
        uint32_t v = l->senders[k], slot = p->slot[v];
        vx.v = v;
        zp_vertex_scatter (&vx, p->out_tgt + p->out_off[v], p->out_off[v + 1] - p->out_off[v],
                           p->share[slot]);
        s_unshare (p, slot, slot + 1);
    }
}

/* After compute in a dense superstep, over this lane's slice of the
   handles with in-edges here: each one's in-neighbours' slots, combined
   into its entry.
   The slice is the lane's alone, so it writes the partition's buffer.
   A slot was sent when it is not at the identity or its flag is set;
   when no flag was set (zp_improves), the loop reads none: an unsent slot
   holds the identity, which changes nothing, and what was sent moves the
   sum away from the identity for good, so zp_improves says whether it
   holds a message. (Testing the sum's bits against the identity's
   instead kept it in an integer register, to and from which each edge's
   add moved it: at R-MAT scale 20, 52 ms a gather where it takes 20.) */
static void s_gather_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    uint32_t b = p->step & 1;
    zp_value_t *restrict buf = p->combine[b];
    uint8_t *restrict flags = p->touched[b];
    const uint32_t *restrict handle = p->pull.handle, *restrict off = p->pull.offset;
    const uint32_t *restrict src = p->pull.source;
    const zp_value_t *restrict share = p->share;
    const uint8_t *restrict set = p->share_set;
    const zp_value_t identity = p->identity;
    bool marks = p->share_marks;
    /* ZP_MONOTONE: a target of this worker whose value no message sent can
       better needs no message, nor to be woken for one. */
    const zp_value_t *restrict values = p->values;
    uint32_t first = p->lo, mine = p->n;
    bool monotone = p->monotone;
    uint64_t lo = zp_pull_slice (&p->pull, index, p->n_lanes);
    uint64_t hi = zp_pull_slice (&p->pull, index + 1, p->n_lanes);
    if (p->share_uniform) {
        /* Every sender sent the same value, and min or max of copies of a
           value is that value: the first sender found is all a target needs
           (a bottom-up BFS's first parent). */
        zp_value_t m = p->share_value;
        switch (p->op) {
#define S_GATHER_ANY(op, expr)                                                                     \
    case op:                                                                                       \
        for (uint64_t i = lo; i < hi; i++) {                                                       \
            uint32_t e = off[i], end = off[i + 1], local = handle[i] - first;                      \
            if (monotone && local < mine && !zp_better (op, m, values[local]))                     \
                continue;                                                                          \
            while (e < end && !set[src[e]] && share[src[e]].bits == identity.bits)                 \
                e++;                                                                               \
            if (e == end)                                                                          \
                continue;                                                                          \
            zp_value_t *acc = &buf[handle[i]];                                                     \
            expr;                                                                                  \
            if (marks)                                                                             \
                flags[handle[i]] = 1;                                                              \
        }                                                                                          \
        break;
            ZP_OPS (S_GATHER_ANY)
#undef S_GATHER_ANY
        case ZP_OP_FN:
            break;
        }
        return;
    }
    switch (p->op) {
#define S_GATHER(op, expr)                                                                         \
    case op:                                                                                       \
        for (uint64_t i = lo; i < hi; i++) {                                                       \
            zp_value_t sum = identity, *acc = &sum, m;                                             \
            if (marks) {                                                                           \
                bool got = false;                                                                  \
                for (uint32_t e = off[i]; e < off[i + 1]; e++)                                     \
                    if (set[src[e]] || share[src[e]].bits != identity.bits) {                      \
                        m = share[src[e]];                                                         \
                        expr;                                                                      \
                        got = true;                                                                \
                    }                                                                              \
                if (!got)                                                                          \
                    continue;                                                                      \
            } else {                                                                               \
                for (uint32_t e = off[i]; e < off[i + 1]; e++) {                                   \
                    m = share[src[e]];                                                             \
                    expr;                                                                          \
                }                                                                                  \
                if (!zp_improves (op, sum))                                                        \
                    continue;                                                                      \
            }                                                                                      \
            uint32_t local = handle[i] - first;                                                    \
            if (monotone && local < mine && !zp_better (op, sum, values[local]))                   \
                continue;                                                                          \
            if (marks)                                                                             \
                flags[handle[i]] = 1;                                                              \
            m = sum;                                                                               \
            acc = &buf[handle[i]];                                                                 \
            expr;                                                                                  \
        }                                                                                          \
        break;
        ZP_OPS (S_GATHER)
#undef S_GATHER
    case ZP_OP_FN:
        break; /* not pulled (pull_ok) */
    }
}

/* Combines the other lanes' buffers into the partition's over this
   lane's share of the handles (whole blocks, so that no two lanes write
   one block's byte), and puts them back at the identity. */
static void s_merge_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    uint32_t b = p->step & 1;
    zp_value_t *restrict buf = p->combine[b];
    uint8_t *restrict flags = p->touched[b], *restrict dirty = p->dirty[b];
    uint64_t blocks = zp_blocks (p->n_vertices);
    uint64_t lo = (blocks * index / p->n_lanes) << ZP_BLOCK;
    uint64_t hi = (blocks * (index + 1) / p->n_lanes) << ZP_BLOCK;
    if (hi > p->n_vertices)
        hi = p->n_vertices;
    for (uint32_t k = 1; k < p->n_lanes; k++) {
        zp_lane_t *l = &p->lanes[k];
        for (uint64_t h = lo; h < hi; h++) {
            if (!l->dirty[h >> ZP_BLOCK]) {
                h = zp_block_next (h) - 1;
                continue;
            }
            if (!l->touched[h] && l->combine[h].bits == p->identity.bits)
                continue;
            dirty[h >> ZP_BLOCK] = 1;
            if (p->op == ZP_OP_FN && !zp_got (p, b, h))
                buf[h] = l->combine[h];
            else if (p->op == ZP_OP_FN)
                p->program->combine (&buf[h], l->combine[h]);
            else
                zp_combine (&buf[h], l->combine[h], p->program->combiner, p->program->message_type);
            if (buf[h].bits == p->identity.bits) /* zp_got: the value cannot say so */
                flags[h] = 1;
            l->combine[h] = p->identity;
            l->touched[h] = 0;
        }
        if (lo < hi)
            memset (l->dirty + (lo >> ZP_BLOCK), 0, ((hi - 1) >> ZP_BLOCK) - (lo >> ZP_BLOCK) + 1);
    }
}

/* After compute (and the merge), over the lane's vertices: puts the
   inbox compute read back at the identity, counts what was sent to them
   (it stays in place as next superstep's inbox), and puts the slots of
   a pulled superstep back; in the blocks where there is something to do. */
static void s_finish_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    zp_lane_t *l = &p->lanes[index];
    uint32_t b = p->step & 1, read = b ^ 1, lo = p->lo;
    uint64_t mine = 0, identity = p->identity.bits;
    /* Through local pointers: a store to a byte array may alias anything,
       and the fields of p would be read again for every vertex. */
    zp_value_t *restrict inbox = p->combine[read] + lo;
    uint8_t *restrict inbox_flags = p->touched[read] + lo;
    const zp_value_t *restrict next = p->combine[b] + lo;
    const uint8_t *restrict next_flags = p->touched[b] + lo;
    const uint8_t *restrict was = p->dirty[read], *restrict will = p->dirty[b];
    for (uint32_t v = l->from; v < l->to;) {
        uint64_t g = (uint64_t) lo + v;
        uint32_t end = (uint32_t) (zp_block_next (g) - lo);
        if (end > l->to)
            end = l->to;
        if (was[g >> ZP_BLOCK]) {
            for (uint32_t u = v; u < end; u++)
                inbox[u].bits = identity;
            memset (inbox_flags + v, 0, end - v);
        }
        if (will[g >> ZP_BLOCK])
            for (uint32_t u = v; u < end; u++)
                mine += zp_holds (next_flags, next, identity, u);
        v = end;
    }
    if (p->pulling)
        for (uint32_t k = 0; k < l->n_senders; k++)
            s_unshare (p, p->slot[l->senders[k]], p->slot[l->senders[k]] + 1);
    l->mine = mine;
}

/* After compute on the listed and bytes paths: the messages of lanes
   1.. follow lane 0's in the outboxes, lane by lane, so that each worker
   gets them in the order one thread would have sent them (its vertices'
   order); boxes to other workers go out as they fill. */
static void s_merge_boxes (zp_partition_t *p)
{
    bool bytes = p->path == ZP_PATH_BYTES;
    for (uint32_t l = 1; l < p->n_lanes; l++)
        for (uint32_t w = 0; w < p->n_workers; w++) {
            zp_box_t *from = &p->lanes[l].boxes[w], *to = &p->outbox[w];
            for (size_t i = 0; i < from->count && !p->failed; i++) {
                int rc = bytes ? zp_box_push_bytes (to, from->ids[i], from->data + from->offsets[i],
                                                    from->offsets[i + 1] - from->offsets[i])
                               : zp_box_push (to, from->ids[i], from->values[i]);
                if (rc != 0) {
                    p->failed = -1;
                    break;
                }
                if (w != p->worker && zp_box_bytes (to) >= p->settings.batch_bytes)
                    zp_partition_flush_box (p, w);
            }
            zp_box_clear (from);
        }
}

int zp_partition_compute (zp_partition_t *p, zp_flush_fn *flush, zp_tick_fn *tick, void *ctx,
                          zp_step_stats_t *stats)
{
    p->flush = flush;
    p->tick = tick;
    p->flush_ctx = ctx;
    p->failed = 0;
    if (p->path != ZP_PATH_COMBINED && zp_partition_build_inbox (p) != 0)
        return -1;
    if (p->n_lanes > 1 && !p->pool) {
        if (!(p->pool = zp_pool_new (p->n_lanes, s_lane_start, s_lane_stop, p))) {
            snprintf (p->error, sizeof p->error, "cannot start %u compute threads (engine.threads)",
                      p->n_lanes);
            return -1;
        }
    }
    /* The tick comes after every compute() that ends a ZP_TICK_MS period
       (zp_ticker), and every S_TICK_VERTICES vertices, so a superstep
       of any length keeps its heartbeats, however slow the program is;
       while lane 0 waits for the others, every ZP_TICK_MS. */
    if (tick)
        zp_ticker_start ();
    s_vertex_step (p);
    if (p->share_dirty)
        s_unshare (p, 0, p->n);
    p->share_dirty = false;
    uint32_t b = p->step & 1;
    p->lanes[0].combine = p->combine[b];
    p->lanes[0].touched = p->touched[b];
    p->lanes[0].dirty = p->dirty[b];
    for (uint32_t i = 0; i < p->n_lanes; i++) {
        atomic_store_explicit (&p->lanes[i].done, 0, memory_order_relaxed);
        p->lanes[i].failed = false;
        p->lanes[i].n_senders = 0;
        for (uint32_t w = 0; p->lanes[i].boxes && w < p->n_workers; w++)
            zp_box_clear (&p->lanes[i].boxes[w]); /* left by a superstep that failed */
    }
    zp_pool_run (p->pool, s_compute_lane, p, s_waiting, p);
    /* The slots: pulled if dense, else pushed. */
    uint64_t shared = 0;
    p->share_marks = false;
    p->share_uniform = zp_selects (p->op);
    for (uint32_t i = 0; i < p->n_lanes; i++) {
        const zp_lane_t *l = &p->lanes[i];
        if (l->shared && !shared)
            p->share_value = l->share_first;
        if (l->shared)
            p->share_uniform &= !l->share_mixed && l->share_first.bits == p->share_value.bits;
        shared += l->shared;
        p->share_marks |= l->share_marks;
    }
    p->pulling = shared && !p->failed && s_dense (p, shared);
    if (shared && !p->failed)
        zp_pool_run (p->pool, p->pulling ? s_gather_lane : s_push_lane, p, s_waiting, p);
    if (p->pulling && p->path == ZP_PATH_COMBINED) /* the gather wrote where it found senders */
        memset (p->dirty[b], 1, zp_blocks (p->n_vertices));
    /* Pulled slots are put back by s_finish_lane; pushed ones were. */
    p->share_dirty = shared > 0 && (p->pulling || p->failed);
    /* The other lanes' arrays, unless all they sent was pulled. */
    bool pushed = false;
    for (uint32_t i = 1; i < p->n_lanes; i++)
        pushed |= p->lanes[i].messages > (p->pulling ? p->lanes[i].shared : 0);
    if (pushed && !p->failed && p->path == ZP_PATH_COMBINED)
        zp_pool_run (p->pool, s_merge_lane, p, s_waiting, p);
    if (p->path != ZP_PATH_COMBINED && !p->failed)
        s_merge_boxes (p);
    for (uint32_t i = 0; i < p->n_lanes; i++)
        if (p->lanes[i].failed && !p->error[0])
            snprintf (p->error, sizeof p->error, "%s", p->lanes[i].error);
    if (p->path == ZP_PATH_COMBINED && !p->failed) {
        zp_pool_run (p->pool, s_finish_lane, p, s_waiting, p);
        memset (p->dirty[b ^ 1], 0, zp_blocks (p->n_vertices)); /* the inbox is empty again */
        p->share_dirty = false;
        p->sent[p->worker] = 0;
        for (uint32_t i = 0; i < p->n_lanes; i++)
            p->sent[p->worker] += p->lanes[i].mine;
        for (uint32_t w = 0; w < p->n_workers; w++)
            if (w != p->worker)
                s_flush_combined (p, w);
    } else if (!p->failed) {
        for (uint32_t w = 0; w < p->n_workers; w++)
            if (w != p->worker)
                zp_partition_flush_box (p, w);
        p->sent[p->worker] = p->outbox[p->worker].count;
    }
    if (!p->failed)
        zp_mirror_send (p);
    if (p->failed) {
        s_blocks_all (p);
        return -1;
    }
    stats->active = 0;
    stats->messages = 0;
    stats->mirrored = p->mirror.sent;
    memset (stats->aggregates, 0, sizeof stats->aggregates);
    for (size_t i = 0; i < p->program->n_aggregators; i++)
        stats->aggregates[i] = p->lanes[0].agg[i];
    for (uint32_t l = 0; l < p->n_lanes; l++) {
        stats->active += p->lanes[l].n_awake; /* a vertex not computed stayed asleep */
        stats->messages += p->lanes[l].messages;
        for (size_t i = 0; l && i < p->program->n_aggregators; i++) {
            const zp_aggregator_def_t *d = &p->program->aggregators[i];
            zp_combine (&stats->aggregates[i], p->lanes[l].agg[i], d->op, d->type);
        }
    }
    memcpy (stats->sent, p->sent, p->n_workers * sizeof *stats->sent);
    memcpy (stats->received, p->received, p->n_sources * sizeof *stats->received);
    return 0;
}

/* The vertex API.

   Misuse of the API is a bug in the program: it is reported once, with the
   program, the call, the vertex and the superstep, and fails the worker
   (zp_partition_error gives the text). The checks that cost a branch on a
   cold path are always on; those inside the hot calls (index bounds, the
   type a value is read as) only with engine.check_program.

   A program built against API version 3 reaches the functions whose name
   is in parentheses below only through zp_program.h's inline calls: with
   engine.check_program, or when the vertex's fields do not hold the
   answer. Older programs call them all. */

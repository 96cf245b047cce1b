/*  zp_partition: a worker's vertices, one superstep of compute, and the vertex
    API that compute() calls. See zp_partition.h for the three message paths.

    The vertex API lives in this file so that the hot calls (a send to every
    out-neighbour) compile to a tight loop over the CSR with the combine
    inlined, picked once per call by a switch on the combiner, not per edge.
*/
#include "zp_partition.h"
#include "zp_crash.h"
#include "zp_params.h"
#include "zp_pool.h"
#include "zp_pull.h"
#include "zp_ticker.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct zp_lane_s s_lane_t;

typedef enum { S_COMBINED, S_LISTED, S_BYTES } s_path_t;
typedef enum {
    S_SUM_F64,
    S_SUM_I64, /* and U64: the same bits, wrapping */
    S_MIN_F64,
    S_MIN_I64,
    S_MIN_U64,
    S_MAX_F64,
    S_MAX_I64,
    S_MAX_U64,
    S_FN
} s_op_t;

/* What each built-in combiner does to an accumulator `acc` (a
   zp_value_t *) with a message `m`: the send loop and the pull inline it. */
#define S_OPS(X)                                                                                   \
    X (S_SUM_F64, acc->f64 += m.f64)                                                               \
    X (S_SUM_I64, acc->i64 = (int64_t) ((uint64_t) acc->i64 + (uint64_t) m.i64))                   \
    X (S_MIN_F64, acc->f64 = m.f64 < acc->f64 ? m.f64 : acc->f64)                                  \
    X (S_MIN_I64, acc->i64 = m.i64 < acc->i64 ? m.i64 : acc->i64)                                  \
    X (S_MIN_U64, acc->u64 = m.u64 < acc->u64 ? m.u64 : acc->u64)                                  \
    X (S_MAX_F64, acc->f64 = m.f64 > acc->f64 ? m.f64 : acc->f64)                                  \
    X (S_MAX_I64, acc->i64 = m.i64 > acc->i64 ? m.i64 : acc->i64)                                  \
    X (S_MAX_U64, acc->u64 = m.u64 > acc->u64 ? m.u64 : acc->u64)

/* One thread of compute (engine.threads): a slice of the vertices, the
   combined buffer it sends into and what it saw in the superstep. Lane 0
   is the worker's own thread and sends into the partition's buffer; the
   other lanes send into their own, which are merged into it after
   compute and are at the identity between supersteps. */
struct zp_lane_s {
    /* A cache line of its own: lanes write their fields per vertex. */
    _Alignas(64) uint32_t from, to; /* local vertices [from, to) */
    zp_value_t *combine;
    uint8_t *touched;
    zp_value_t *own_combine; /* lanes 1..: |V| of each */
    uint8_t *own_touched;
    uint64_t messages;
    uint64_t shared;  /* of the messages: those put in the senders' slots (pulled) */
    bool share_marks; /* one of them cannot say it is there by its value (s_improves) */
    zp_value_t agg[ZP_MAX_AGGREGATORS];
    bool failed;
    char error[512];       /* its first program error */
    uint32_t vertex;       /* the vertex in compute(), or UINT32_MAX */
    _Atomic uint64_t done; /* vertices computed, for the ticks */
    uint64_t mine, halted; /* after compute: messages to our own vertices, halted ones */
};

/* The lane the calling thread computes, for crash reports. */
static _Thread_local const s_lane_t *s_current;
static int s_lanes_new (zp_partition_t *p, uint32_t threads);

/* Messages for one worker (outbound) or from one worker (inbound). */
typedef struct {
    uint32_t *ids;
    zp_value_t *values;
    uint64_t *offsets; /* bytes: count+1 offsets into data (no 4 GiB bound) */
    uint8_t *data;
    size_t count, cap;
    size_t data_size, data_cap;
} s_box_t;

struct zp_partition_s {
    const zp_program_t *program;
    struct zp_params_s params;
    void *state;
    bool state_set;
    uint64_t job;
    uint32_t worker, n_workers;
    uint32_t n_sources; /* workers, then routers: who may send us batches */
    uint64_t n_vertices;
    bool directed;
    uint32_t *ranges;
    uint32_t lo, n;
    zp_settings_t settings;
    /* structure */
    uint64_t *ids;
    uint64_t *out_off;
    uint32_t *out_tgt;
    double *out_w;
    double *input; /* n input values (ZP_NEEDS_VERTEX_VALUES), or NULL */
    uint64_t *in_off;
    uint32_t *in_src;
    /* state */
    size_t words;       /* 64-bit words of a vertex value: 1, or more for ZP_STRUCT */
    zp_value_t *values; /* n x words */
    uint8_t *halted;    /* n flags */
    /* messages */
    s_path_t path;
    s_op_t op;
    zp_value_t identity;
    zp_value_t *combine[2];
    uint8_t *touched[2]; /* |V| flags per parity: a byte, so marking one is a store */
    /* pull (engine.pull, zp_pull.h): a zp_send_out_* puts the message in
       the sender's slot; after compute, a dense superstep pulls the slots
       into the in-neighbours' entries, a sparse one pushes them */
    bool pull_ok;        /* engine.pull, a sum/min/max combiner, and memory */
    bool pulling;        /* this superstep was dense */
    zp_pull_t pull;      /* built the first time a superstep is dense */
    zp_value_t *share;   /* n slots, at the identity between supersteps */
    uint8_t *share_set;  /* n: set by a message that its value cannot tell of (s_improves) */
    uint32_t *slot;      /* n: each vertex's slot, hubs first within a lane (zp_pull_order) */
    bool share_dirty;    /* slots may be off the identity: a superstep failed after sending */
    bool share_marks;    /* any lane's share_marks, for the gather */
    s_box_t *outbox;     /* per destination worker */
    s_box_t *inbound;    /* per source worker, this superstep's deliveries */
    uint64_t *inbox_off; /* listed/bytes inbox: n+1 */
    zp_value_t *inbox_val;
    size_t inbox_val_cap;
    uint64_t *inbox_blob_off; /* bytes: total+1 */
    size_t inbox_blob_off_cap;
    uint8_t *inbox_blob;
    size_t inbox_blob_cap;
    /* threads */
    s_lane_t *lanes;
    uint32_t n_lanes;
    zp_pool_t *pool; /* n_lanes > 1 */
    const char *crash_kind, *crash_name;
    /* superstep */
    uint32_t step;
    zp_value_t agg_prev[ZP_MAX_AGGREGATORS];
    uint64_t *sent;
    uint64_t *received;
    zp_flush_fn *flush;
    zp_tick_fn *tick;
    void *flush_ctx;
    _Atomic int failed;                     /* any lane, a flush, or memory: compute stops */
    bool checked;                           /* engine.check_program */
    bool initializing;                      /* in init(): no sends */
    zp_type_t shares;                       /* zp_send_out_* of this type go in slots, or 0 */
    zp_vertex_step_t vertex_step;           /* what the inline calls read (zp_program.h) */
    zp_value_t fold[ZP_MAX_VALUE_SIZE / 8]; /* struct messages merged for zp_message (one lane) */
    char error[512];                        /* the first program error, for the worker's FAIL */
};

/* What the inline calls of zp_program.h read: the superstep's fields,
   set before init() and each compute, and the vertex's, set before each
   call. */
static void s_vertex_step (zp_partition_t *p)
{
    p->vertex_step = (zp_vertex_step_t){
        .superstep = p->step,
        .checked = p->checked,
        .combined = p->path == S_COMBINED,
        .vertex_count = p->n_vertices,
        .state = p->state,
        .aggregated = p->agg_prev,
        .n_aggregators = p->program->n_aggregators,
    };
    p->shares = p->pull_ok && !p->initializing && !p->checked ? p->program->message_type : 0;
}
static inline void s_vertex_at (zp_vertex_t *vx, s_lane_t *l, uint32_t v, const zp_value_t *message)
{
    zp_partition_t *p = vx->p;
    vx->v = l->vertex = v;
    vx->value = &p->values[(size_t) v * p->words];
    vx->message = message;
    vx->out_offset = &p->out_off[v];
    vx->halted = &p->halted[v];
}

/* Bitsets. */
/* Flags are bytes, not bits: the send loop marks a target with one store
   instead of a read-modify-write, which measured 14 -> 9 instructions an edge. */
static inline bool s_bit (const uint8_t *flags, uint64_t i)
{
    return flags[i];
}
static inline void s_set (uint8_t *flags, uint64_t i)
{
    flags[i] = 1;
}

#define s_identity zp_combiner_identity

/* Whether entry h of a combined buffer (s_got: of parity b) holds a message. A
   send marks its target's flag only when it has to (s_improves): a
   message that moves the accumulator away from the identity for good
   leaves it there, so a differing value says so without the flag, and the
   send loop saves a store to a second array an edge (measured: 39 -> 22
   ms for the scale-20 PageRank scatter). */
static inline bool s_holds (const uint8_t *flags, const zp_value_t *values, uint64_t identity,
                            uint64_t h)
{
    return flags[h] | (values[h].bits != identity);
}
static inline bool s_got (const zp_partition_t *p, uint32_t b, uint64_t h)
{
    return s_holds (p->touched[b], p->combine[b], p->identity.bits, h);
}

/* Whether combining m into any accumulator can never give back the
   identity's bits: a positive sum, a min below the largest value, a max
   above the smallest. Sums of integers wrap, and go the slow way. */
static inline bool s_improves (s_op_t op, zp_value_t m)
{
    switch (op) {
    case S_SUM_F64:
        return m.f64 > 0;
    case S_MIN_F64:
        return m.f64 < INFINITY;
    case S_MIN_I64:
        return m.i64 < INT64_MAX;
    case S_MIN_U64:
        return m.u64 < UINT64_MAX;
    case S_MAX_F64:
        return m.f64 > -INFINITY;
    case S_MAX_I64:
        return m.i64 > INT64_MIN;
    case S_MAX_U64:
        return m.u64 > 0;
    default:
        return false;
    }
}

static inline void s_combine (zp_value_t *acc, zp_value_t m, zp_combiner_t op, zp_type_t type)
{
    zp_combiner_apply (op, type, acc, m);
}

/* Boxes. */
static int s_box_reserve (s_box_t *b, size_t count, bool with_values, bool with_offsets)
{
    if (b->count + count <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->count + count)
        cap *= 2;
    uint32_t *ids = realloc (b->ids, cap * sizeof *ids);
    if (!ids)
        return -1;
    b->ids = ids;
    if (with_values) {
        zp_value_t *values = realloc (b->values, cap * sizeof *values);
        if (!values)
            return -1;
        b->values = values;
    }
    if (with_offsets) {
        uint64_t *offsets = realloc (b->offsets, (cap + 1) * sizeof *offsets);
        if (!offsets)
            return -1;
        if (!b->offsets)
            offsets[0] = 0;
        b->offsets = offsets;
    }
    b->cap = cap;
    return 0;
}

static int s_box_reserve_data (s_box_t *b, size_t len)
{
    if (b->data_size + len <= b->data_cap)
        return 0;
    size_t cap = b->data_cap ? b->data_cap : 4096;
    while (cap < b->data_size + len)
        cap *= 2;
    uint8_t *data = realloc (b->data, cap);
    if (!data)
        return -1;
    b->data = data;
    b->data_cap = cap;
    return 0;
}

static void s_box_clear (s_box_t *b)
{
    b->count = 0;
    b->data_size = 0;
    if (b->offsets)
        b->offsets[0] = 0;
}

static void s_box_free (s_box_t *b)
{
    free (b->ids);
    free (b->values);
    free (b->offsets);
    free (b->data);
}

static size_t s_box_bytes (const s_box_t *b)
{
    return b->count * 16 + b->data_size;
}

/* Which worker owns handle h. */
static inline uint32_t s_owner (const zp_partition_t *p, zp_handle_t h)
{
    uint32_t lo = 0, hi = p->n_workers;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (p->ranges[mid] <= h)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
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
    const s_lane_t *l = s_current;
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

const zp_settings_t *zp_partition_settings (const zp_partition_t *p)
{
    return &p->settings;
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
    } else if (program->flags & ZP_NEEDS_IN_EDGES) {
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
        p->path = S_BYTES;
    else if (program->combiner == ZP_COMBINE_NONE)
        p->path = S_LISTED;
    else
        p->path = S_COMBINED;
    if (p->path == S_COMBINED) {
        bool f = program->message_type == ZP_F64, u = program->message_type == ZP_U64;
        switch (program->combiner) {
        case ZP_COMBINE_SUM:
            p->op = f ? S_SUM_F64 : S_SUM_I64;
            break;
        case ZP_COMBINE_MIN:
            p->op = f ? S_MIN_F64 : u ? S_MIN_U64 : S_MIN_I64;
            break;
        case ZP_COMBINE_MAX:
            p->op = f ? S_MAX_F64 : u ? S_MAX_U64 : S_MAX_I64;
            break;
        default:
            p->op = S_FN;
        }
        p->identity = s_identity (program->combiner, program->message_type);
        p->pull_ok = a->settings.pull && p->op != S_FN;
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
            if (!p->combine[b] || !p->touched[b])
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
        p->agg_prev[i] = s_identity (program->aggregators[i].op, program->aggregators[i].type);
    if (s_lanes_new (p, a->settings.threads) != 0)
        goto oom;
    if (p->pull_ok) {
        if (!(p->slot = malloc ((n ? n : 1) * sizeof *p->slot)))
            goto oom;
        for (uint32_t i = 0; i < p->n_lanes; i++)
            zp_pull_order (p->lanes[i].from, p->lanes[i].to, p->out_off, p->slot);
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
        s_lane_t *l = &p->lanes[0];
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
    }
    zp_pull_free (&p->pull);
    free (p->share);
    free (p->share_set);
    free (p->slot);
    zp_pool_destroy (&p->pool);
    for (uint32_t i = 0; p->lanes && i < p->n_lanes; i++) {
        free (p->lanes[i].own_combine);
        free (p->lanes[i].own_touched);
    }
    free (p->lanes);
    for (uint32_t w = 0; p->outbox && w < p->n_workers; w++)
        s_box_free (&p->outbox[w]);
    for (uint32_t w = 0; p->inbound && w < p->n_sources; w++)
        s_box_free (&p->inbound[w]);
    free (p->outbox);
    free (p->inbound);
    free (p->inbox_off);
    free (p->inbox_val);
    free (p->inbox_blob_off);
    free (p->inbox_blob);
    free (p);
    *self_p = NULL;
}

int zp_partition_check_batch (const zp_partition_t *p, const zp_batch_view_t *view)
{
    const zp_batch_header_t *h = &view->header;
    if (h->job != p->job || h->dst != p->worker || h->src >= p->n_sources || h->src == p->worker)
        return ZP_ERANGE;
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
    }
    for (size_t i = 0; i < p->program->n_aggregators; i++) {
        const zp_aggregator_def_t *d = &p->program->aggregators[i];
        if (i < n)
            p->agg_prev[i].bits = zp_load_u64 (aggregates + 8 * i);
        for (uint32_t l = 0; l < p->n_lanes; l++)
            p->lanes[l].agg[i] = s_identity (d->op, d->type);
    }
    memset (p->sent, 0, p->n_workers * sizeof *p->sent);
    memset (p->received, 0, p->n_sources * sizeof *p->received);
    for (uint32_t w = 0; w < p->n_sources; w++)
        s_box_clear (&p->inbound[w]);
}

int zp_partition_deliver (zp_partition_t *p, zp_batch_view_t *view)
{
    const zp_batch_header_t *h = &view->header;
    size_t n = h->count;
    p->received[h->src] += n;
    if (p->path == S_COMBINED) {
        /* Messages sent in the previous superstep were combined into the buffer of its parity. */
        uint32_t b = (p->step + 1) & 1;
        zp_value_t *buf = p->combine[b];
        uint8_t *bits = p->touched[b];
        for (size_t i = 0; i < n; i++) {
            uint64_t id = zp_batch_id (view, i);
            zp_value_t m = zp_batch_value (view, i);
            if (p->op == S_FN) {
                if (s_bit (bits, id))
                    p->program->combine (&buf[id], m);
                else
                    buf[id] = m;
            } else
                s_combine (&buf[id], m, p->program->combiner, p->program->message_type);
            s_set (bits, id);
        }
        return 0;
    }
    s_box_t *box = &p->inbound[h->src];
    if (s_box_reserve (box, n, p->path == S_LISTED, p->path == S_BYTES) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        box->ids[box->count] = (uint32_t) zp_batch_id (view, i);
        if (p->path == S_LISTED)
            box->values[box->count] = zp_batch_value (view, i);
        else {
            const uint8_t *data;
            size_t len;
            if (zp_batch_next_bytes (view, &data, &len) != 0 || s_box_reserve_data (box, len) != 0)
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
static int s_build_inbox (zp_partition_t *p)
{
    uint64_t *off = p->inbox_off;
    memset (off, 0, ((size_t) p->n + 1) * sizeof *off);
    size_t total = 0, blob = 0;
    for (uint32_t w = 0; w < p->n_sources; w++) {
        const s_box_t *b = w == p->worker ? &p->outbox[w] : &p->inbound[w];
        for (size_t i = 0; i < b->count; i++)
            off[b->ids[i] - p->lo + 1]++;
        total += b->count;
        blob += b->data_size;
    }
    for (uint32_t v = 0; v < p->n; v++)
        off[v + 1] += off[v];
    if (p->path == S_LISTED && total > p->inbox_val_cap) {
        free (p->inbox_val);
        p->inbox_val = malloc (total * sizeof *p->inbox_val);
        p->inbox_val_cap = p->inbox_val ? total : 0;
        if (!p->inbox_val)
            return -1;
    }
    if (p->path == S_BYTES) {
        if (total + 1 > p->inbox_blob_off_cap) {
            free (p->inbox_blob_off);
            p->inbox_blob_off = malloc ((total + 1) * sizeof *p->inbox_blob_off);
            p->inbox_blob_off_cap = p->inbox_blob_off ? total + 1 : 0;
            if (!p->inbox_blob_off)
                return -1;
        }
        if (blob > p->inbox_blob_cap) {
            free (p->inbox_blob);
            p->inbox_blob = malloc (blob);
            p->inbox_blob_cap = p->inbox_blob ? blob : 0;
            if (!p->inbox_blob)
                return -1;
        }
    }
    /* Fill: pos[v] walks from off[v]; lengths first for bytes, then a prefix sum. */
    uint64_t *pos = malloc (((size_t) p->n + 1) * sizeof *pos);
    uint64_t *len = p->path == S_BYTES ? malloc ((total + 1) * sizeof *len) : NULL;
    const uint8_t **src = p->path == S_BYTES ? malloc ((total + 1) * sizeof *src) : NULL;
    if (!pos || (p->path == S_BYTES && (!len || !src))) {
        free (pos);
        free (len);
        free (src);
        return -1;
    }
    memcpy (pos, off, ((size_t) p->n + 1) * sizeof *pos);
    for (uint32_t w = 0; w < p->n_sources; w++) {
        const s_box_t *b = w == p->worker ? &p->outbox[w] : &p->inbound[w];
        for (size_t i = 0; i < b->count; i++) {
            uint64_t at = pos[b->ids[i] - p->lo]++;
            if (p->path == S_LISTED)
                p->inbox_val[at] = b->values[i];
            else {
                len[at] = b->offsets[i + 1] - b->offsets[i];
                src[at] = b->data + b->offsets[i];
            }
        }
    }
    if (p->path == S_BYTES) {
        uint64_t at = 0;
        for (size_t i = 0; i < total; i++) {
            p->inbox_blob_off[i] = at;
            if (len[i])
                memcpy (p->inbox_blob + at, src[i], len[i]);
            at += len[i];
        }
        p->inbox_blob_off[total] = at;
    }
    free (pos);
    free (len);
    free (src);
    s_box_clear (&p->outbox[p->worker]);
    return 0;
}

static int s_flush_box (zp_partition_t *p, uint32_t dst)
{
    s_box_t *b = &p->outbox[dst];
    if (b->count == 0 || p->failed)
        return p->failed;
    zp_batch_out_t out = {.header = {.job = p->job,
                                     .step = p->step,
                                     .src = p->worker,
                                     .dst = dst,
                                     .type = zp_program_wire_type (p->program),
                                     .count = b->count},
                          .ids = b->ids,
                          .values = b->values,
                          .offsets = b->offsets,
                          .data = b->data};
    p->sent[dst] += b->count;
    if (p->flush (p->flush_ctx, dst, &out) != 0)
        p->failed = -1;
    s_box_clear (b);
    return p->failed;
}

/* Packs the touched entries of worker dst's range into batches, resetting
   them to the identity as it goes. */
static int s_flush_combined (zp_partition_t *p, uint32_t dst)
{
    uint32_t b = p->step & 1;
    zp_value_t *buf = p->combine[b];
    uint8_t *flags = p->touched[b];
    s_box_t *box = &p->outbox[dst];
    size_t limit = p->settings.batch_bytes / 16;
    if (limit < 16)
        limit = 16;
    /* Room for a whole batch once, not a check a message. */
    if (s_box_reserve (box, limit, true, false) != 0) {
        p->failed = -1;
        return -1;
    }
    /* Without a branch: every entry is written at the end of the box and
       counted only if it holds a message. In a power-law graph about half
       the handles are no one's target, which the processor cannot
       predict: at R-MAT scale 20, packing and sending one of 2 workers'
       512K entries took 3.0-3.3 ms with a branch, 1.1-1.5 ms without. */
    uint64_t lo = p->ranges[dst], hi = p->ranges[dst + 1];
    const zp_value_t identity = p->identity;
    size_t count = box->count;
    for (uint64_t i = lo; i < hi; i++) {
        box->ids[count] = (uint32_t) i;
        box->values[count] = buf[i];
        count += s_got (p, b, i);
        buf[i] = identity;
        flags[i] = 0;
        if (count >= limit) {
            box->count = count;
            if (s_flush_box (p, dst) != 0) /* empties the box */
                return -1;
            count = box->count;
        }
    }
    box->count = count;
    return s_flush_box (p, dst);
}

/* A lane publishes its progress every S_PROGRESS_VERTICES vertices; lane
   0 ticks every S_TICK_VERTICES (a tick polls the worker's sockets: about
   20 us, which every 4096 vertices cost a scale-20 PageRank superstep on
   one thread 8-10%), and whenever the ticker has moved. */
#define S_PROGRESS_VERTICES 4096
#define S_TICK_VERTICES     65536

static inline bool s_has_messages (const zp_partition_t *p, uint32_t v)
{
    if (p->path == S_COMBINED)
        return s_got (p, (p->step + 1) & 1, (uint64_t) p->lo + v);
    return p->inbox_off[v + 1] > p->inbox_off[v];
}

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
   (ZP_THREAD_SAFE) and its messages take the combined path, else one.
   Each gets a slice of the vertices with about the same number of
   vertices plus out-edges. The threads start with the first compute, on
   the thread that will be lane 0, so that they are watched as it is. */
static int s_lanes_new (zp_partition_t *p, uint32_t threads)
{
    uint32_t n = threads ? threads : 1;
    if (p->path != S_COMBINED || !(p->program->flags & ZP_THREAD_SAFE))
        n = 1;
    if (n > p->n)
        n = p->n ? p->n : 1;
    p->lanes = aligned_alloc (_Alignof(s_lane_t), n * sizeof *p->lanes);
    if (!p->lanes)
        return -1;
    memset (p->lanes, 0, n * sizeof *p->lanes);
    p->n_lanes = n;
    uint64_t m = p->out_off[p->n], work = (uint64_t) p->n + m;
    uint32_t v = 0;
    for (uint32_t i = 0; i < n; i++) {
        s_lane_t *l = &p->lanes[i];
        l->vertex = UINT32_MAX;
        l->from = v;
        uint64_t goal = work * (i + 1) / n;
        while (v < p->n && (uint64_t) v + p->out_off[v] < goal)
            v++;
        l->to = i + 1 == n ? p->n : v;
        if (i == 0)
            continue;
        uint64_t nv = p->n_vertices ? p->n_vertices : 1;
        l->own_combine = malloc (nv * sizeof *l->own_combine);
        l->own_touched = calloc (nv, 1);
        if (!l->own_combine || !l->own_touched)
            return -1;
        for (uint64_t h = 0; h < p->n_vertices; h++)
            l->own_combine[h] = p->identity;
        l->combine = l->own_combine;
        l->touched = l->own_touched;
    }
    return 0;
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
   compiler, which would read p's fields again after each call. */
static void s_compute_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    s_lane_t *l = &p->lanes[index];
    zp_vertex_t vx = {.step = &p->vertex_step, .p = p, .lane = l};
    bool ticks = index == 0 && p->tick;
    uint32_t seen = zp_ticker_read (), computed = 0;
    void (*compute) (zp_vertex_t *) = p->program->compute;
    /* The combined path's inbox: one message, in place. */
    bool combined = p->path == S_COMBINED;
    uint32_t read = (p->step + 1) & 1;
    const zp_value_t *inbox = combined ? p->combine[read] + p->lo : NULL;
    const uint8_t *inbox_flags = combined ? p->touched[read] + p->lo : NULL;
    const uint64_t identity = p->identity.bits;
    uint8_t *halted = p->halted;
    s_current = l;
    for (uint32_t v = l->from; v < l->to && !p->failed; v++) {
        bool has = combined ? s_holds (inbox_flags, inbox, identity, v) : s_has_messages (p, v);
        if (!has && halted[v])
            continue;
        halted[v] = 0;
        s_vertex_at (&vx, l, v, combined && has ? &inbox[v] : NULL);
        compute (&vx);
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

static void s_scatter (const zp_vertex_t *v, const uint32_t *restrict t, size_t count,
                       zp_value_t m);

/* After compute in a sparse superstep, over the lane's vertices: pushes
   each slot that was sent to the sender's out-neighbours, into the lane's
   buffer, and puts it back at the identity. */
static void s_push_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    s_lane_t *l = &p->lanes[index];
    zp_vertex_t vx = {.p = p, .lane = l};
    for (uint32_t v = l->from; v < l->to; v++) {
        uint32_t slot = p->slot[v];
        if (p->share[slot].bits == p->identity.bits && !p->share_set[slot])
            continue;
        vx.v = v;
        s_scatter (&vx, p->out_tgt + p->out_off[v], p->out_off[v + 1] - p->out_off[v],
                   p->share[slot]);
        s_unshare (p, slot, slot + 1);
    }
}

/* After compute in a dense superstep, over this lane's slice of the
   handles with in-edges here: each one's in-neighbours' slots, combined
   into its entry.
   The slice is the lane's alone, so it writes the partition's buffer.
   A slot was sent when it is not at the identity or its flag is set;
   when no flag was set (s_improves), the loop reads none: an unsent slot
   holds the identity, which changes nothing, and what was sent moves the
   sum away from the identity for good, so s_improves says whether it
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
    uint64_t lo = zp_pull_slice (&p->pull, index, p->n_lanes);
    uint64_t hi = zp_pull_slice (&p->pull, index + 1, p->n_lanes);
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
                flags[handle[i]] = 1;                                                              \
            } else {                                                                               \
                for (uint32_t e = off[i]; e < off[i + 1]; e++) {                                   \
                    m = share[src[e]];                                                             \
                    expr;                                                                          \
                }                                                                                  \
                if (!s_improves (op, sum))                                                         \
                    continue;                                                                      \
            }                                                                                      \
            m = sum;                                                                               \
            acc = &buf[handle[i]];                                                                 \
            expr;                                                                                  \
        }                                                                                          \
        break;
        S_OPS (S_GATHER)
#undef S_GATHER
    case S_FN:
        break; /* not pulled (pull_ok) */
    }
}

/* Combines the other lanes' buffers into the partition's over this
   lane's share of the handles, and puts them back at the identity. */
static void s_merge_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    uint32_t b = p->step & 1;
    zp_value_t *restrict buf = p->combine[b];
    uint8_t *restrict flags = p->touched[b];
    uint64_t lo = p->n_vertices * index / p->n_lanes;
    uint64_t hi = p->n_vertices * (index + 1) / p->n_lanes;
    for (uint32_t k = 1; k < p->n_lanes; k++) {
        s_lane_t *l = &p->lanes[k];
        for (uint64_t h = lo; h < hi; h++) {
            if (!l->touched[h] && l->combine[h].bits == p->identity.bits)
                continue;
            if (p->op == S_FN && !s_got (p, b, h))
                buf[h] = l->combine[h];
            else if (p->op == S_FN)
                p->program->combine (&buf[h], l->combine[h]);
            else
                s_combine (&buf[h], l->combine[h], p->program->combiner, p->program->message_type);
            if (buf[h].bits == p->identity.bits) /* s_got: the value cannot say so */
                flags[h] = 1;
            l->combine[h] = p->identity;
            l->touched[h] = 0;
        }
    }
}

/* After compute (and the merge), over the lane's vertices: puts the
   inbox compute read back at the identity, and counts what was sent to
   them (it stays in place as next superstep's inbox) and the halted. */
static void s_finish_lane (void *arg, uint32_t index)
{
    zp_partition_t *p = arg;
    s_lane_t *l = &p->lanes[index];
    uint32_t b = p->step & 1, read = b ^ 1;
    uint64_t mine = 0, halted = 0, identity = p->identity.bits;
    /* Through local pointers: a store to a byte array may alias anything,
       and the fields of p would be read again for every vertex. */
    zp_value_t *restrict inbox = p->combine[read] + p->lo;
    uint8_t *restrict inbox_flags = p->touched[read] + p->lo;
    const zp_value_t *restrict next = p->combine[b] + p->lo;
    const uint8_t *restrict next_flags = p->touched[b] + p->lo, *restrict stopped = p->halted;
    for (uint32_t v = l->from; v < l->to; v++) {
        inbox[v].bits = identity;
        mine += s_holds (next_flags, next, identity, v);
        halted += stopped[v];
    }
    memset (inbox_flags + l->from, 0, l->to - l->from);
    if (p->pulling)
        s_unshare (p, l->from, l->to);
    l->mine = mine;
    l->halted = halted;
}

int zp_partition_compute (zp_partition_t *p, zp_flush_fn *flush, zp_tick_fn *tick, void *ctx,
                          zp_step_stats_t *stats)
{
    p->flush = flush;
    p->tick = tick;
    p->flush_ctx = ctx;
    p->failed = 0;
    if (p->path != S_COMBINED && s_build_inbox (p) != 0)
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
    for (uint32_t i = 0; i < p->n_lanes; i++) {
        atomic_store_explicit (&p->lanes[i].done, 0, memory_order_relaxed);
        p->lanes[i].failed = false;
    }
    zp_pool_run (p->pool, s_compute_lane, p, s_waiting, p);
    /* The slots: pulled if dense, else pushed. */
    uint64_t shared = 0;
    p->share_marks = false;
    for (uint32_t i = 0; i < p->n_lanes; i++) {
        shared += p->lanes[i].shared;
        p->share_marks |= p->lanes[i].share_marks;
    }
    p->pulling = shared && !p->failed && s_dense (p, shared);
    if (shared && !p->failed)
        zp_pool_run (p->pool, p->pulling ? s_gather_lane : s_push_lane, p, s_waiting, p);
    /* Pulled slots are put back by s_finish_lane; pushed ones were. */
    p->share_dirty = shared > 0 && (p->pulling || p->failed);
    /* The other lanes' arrays, unless all they sent was pulled. */
    bool pushed = false;
    for (uint32_t i = 1; i < p->n_lanes; i++)
        pushed |= p->lanes[i].messages > (p->pulling ? p->lanes[i].shared : 0);
    if (pushed && !p->failed)
        zp_pool_run (p->pool, s_merge_lane, p, s_waiting, p);
    for (uint32_t i = 0; i < p->n_lanes; i++)
        if (p->lanes[i].failed && !p->error[0])
            snprintf (p->error, sizeof p->error, "%s", p->lanes[i].error);
    uint64_t halted = 0;
    if (p->path == S_COMBINED && !p->failed) {
        zp_pool_run (p->pool, s_finish_lane, p, s_waiting, p);
        p->share_dirty = false;
        p->sent[p->worker] = 0;
        for (uint32_t i = 0; i < p->n_lanes; i++) {
            p->sent[p->worker] += p->lanes[i].mine;
            halted += p->lanes[i].halted;
        }
        for (uint32_t w = 0; w < p->n_workers; w++)
            if (w != p->worker)
                s_flush_combined (p, w);
    } else if (!p->failed) {
        for (uint32_t w = 0; w < p->n_workers; w++)
            if (w != p->worker)
                s_flush_box (p, w);
        p->sent[p->worker] = p->outbox[p->worker].count;
        for (size_t i = 0; i < p->n; i++)
            halted += p->halted[i];
    }
    if (p->failed)
        return -1;
    stats->active = p->n - halted;
    stats->messages = 0;
    memset (stats->aggregates, 0, sizeof stats->aggregates);
    for (size_t i = 0; i < p->program->n_aggregators; i++)
        stats->aggregates[i] = p->lanes[0].agg[i];
    for (uint32_t l = 0; l < p->n_lanes; l++) {
        stats->messages += p->lanes[l].messages;
        for (size_t i = 0; l && i < p->program->n_aggregators; i++) {
            const zp_aggregator_def_t *d = &p->program->aggregators[i];
            s_combine (&stats->aggregates[i], p->lanes[l].agg[i], d->op, d->type);
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

static const char *s_type_name (zp_type_t type)
{
    return type == ZP_F64      ? "f64"
           : type == ZP_I64    ? "i64"
           : type == ZP_U64    ? "u64"
           : type == ZP_STRUCT ? "struct"
                               : "bytes";
}

/* Cold: a misuse ends the job, so the checks around the hot calls stay
   a compare and a branch, and the calls stay small enough to inline. */
static void s_misuse (const zp_vertex_t *v, const char *call, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4), cold, noinline));

static void s_misuse (const zp_vertex_t *v, const char *call, const char *fmt, ...)
{
    zp_partition_t *p = v->p;
    s_lane_t *l = v->lane;
    if (l->failed)
        return;
    l->failed = true;
    p->failed = -1;
    char why[256];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (why, sizeof why, fmt, ap);
    va_end (ap);
    snprintf (l->error, sizeof l->error, "program %s: %s at vertex %" PRIu64 " in superstep %u: %s",
              p->program->name, call, p->ids[v->v], p->step, why);
}

/* With engine.check_program: `type` must be the program's `want`. */
static inline bool s_typed (const zp_vertex_t *v, const char *call, zp_type_t want, zp_type_t type,
                            const char *what)
{
    if (!v->p->checked || want == type)
        return true;
    s_misuse (v, call, "the program's %s type is %s", what, s_type_name (want));
    return false;
}

/* With engine.check_program: index i must be below count. */
static inline bool s_index (const zp_vertex_t *v, const char *call, size_t i, size_t count)
{
    if (!v->p->checked || i < count)
        return true;
    s_misuse (v, call, "index %zu, but there are %zu", i, count);
    return false;
}

uint64_t zp_id (const zp_vertex_t *v)
{
    return v->p->ids[v->v];
}
zp_handle_t zp_handle (const zp_vertex_t *v)
{
    return v->p->lo + v->v;
}
uint32_t (zp_superstep) (const zp_vertex_t *v)
{
    return v->p->step;
}
uint64_t (zp_vertex_count) (const zp_vertex_t *v)
{
    return v->p->n_vertices;
}
bool zp_directed (const zp_vertex_t *v)
{
    return v->p->directed;
}
void *(zp_state) (const zp_vertex_t *v)
{
    return v->p->state;
}

#define S_VALUE_TYPE(v) ((v)->p->program->value_type)

void *(zp_value) (zp_vertex_t *v)
{
    return &v->p->values[(size_t) v->v * v->p->words];
}
const void *(zp_value_const) (const zp_vertex_t *v)
{
    return &v->p->values[(size_t) v->v * v->p->words];
}

double (zp_get_f64) (const zp_vertex_t *v)
{
    s_typed (v, "zp_get_f64", S_VALUE_TYPE (v), ZP_F64, "value");
    return v->p->values[v->v].f64;
}
int64_t (zp_get_i64) (const zp_vertex_t *v)
{
    s_typed (v, "zp_get_i64", S_VALUE_TYPE (v), ZP_I64, "value");
    return v->p->values[v->v].i64;
}
uint64_t (zp_get_u64) (const zp_vertex_t *v)
{
    s_typed (v, "zp_get_u64", S_VALUE_TYPE (v), ZP_U64, "value");
    return v->p->values[v->v].u64;
}
void (zp_set_f64) (zp_vertex_t *v, double value)
{
    if (s_typed (v, "zp_set_f64", S_VALUE_TYPE (v), ZP_F64, "value"))
        v->p->values[v->v].f64 = value;
}
void (zp_set_i64) (zp_vertex_t *v, int64_t value)
{
    if (s_typed (v, "zp_set_i64", S_VALUE_TYPE (v), ZP_I64, "value"))
        v->p->values[v->v].i64 = value;
}
void (zp_set_u64) (zp_vertex_t *v, uint64_t value)
{
    if (s_typed (v, "zp_set_u64", S_VALUE_TYPE (v), ZP_U64, "value"))
        v->p->values[v->v].u64 = value;
}
double zp_input_f64 (const zp_vertex_t *v)
{
    if (!v->p->input) {
        s_misuse (v, "zp_input_f64", "the program does not set ZP_NEEDS_VERTEX_VALUES");
        return 0;
    }
    return v->p->input[v->v];
}

size_t (zp_out_degree) (const zp_vertex_t *v)
{
    return v->p->out_off[v->v + 1] - v->p->out_off[v->v];
}
zp_handle_t zp_out_target (const zp_vertex_t *v, size_t i)
{
    if (!s_index (v, "zp_out_target", i, zp_out_degree (v)))
        return 0;
    return v->p->out_tgt[v->p->out_off[v->v] + i];
}
double zp_out_weight (const zp_vertex_t *v, size_t i)
{
    if (!v->p->out_w) {
        s_misuse (v, "zp_out_weight", "the program does not declare ZP_NEEDS_WEIGHTS");
        return 0;
    }
    if (!s_index (v, "zp_out_weight", i, zp_out_degree (v)))
        return 0;
    return v->p->out_w[v->p->out_off[v->v] + i];
}
/* In-edges are there for programs that declare ZP_NEEDS_IN_EDGES, and
   are the out-edges in an undirected graph. */
static bool s_has_in_edges (const zp_vertex_t *v, const char *call)
{
    const zp_partition_t *p = v->p;
    if (p->in_off || !p->directed)
        return true;
    s_misuse (v, call, "the program does not declare ZP_NEEDS_IN_EDGES");
    return false;
}
size_t zp_in_degree (const zp_vertex_t *v)
{
    const zp_partition_t *p = v->p;
    if (!s_has_in_edges (v, "zp_in_degree"))
        return 0;
    if (!p->in_off)
        return zp_out_degree (v);
    return p->in_off[v->v + 1] - p->in_off[v->v];
}
zp_handle_t zp_in_source (const zp_vertex_t *v, size_t i)
{
    const zp_partition_t *p = v->p;
    if (!s_has_in_edges (v, "zp_in_source") || !s_index (v, "zp_in_source", i, zp_in_degree (v)))
        return 0;
    if (!p->in_off)
        return p->out_tgt[p->out_off[v->v] + i];
    return p->in_src[p->in_off[v->v] + i];
}

/* Messages in the inbox for the vertex, before any merge of struct ones. */
static inline size_t s_inbox_count (const zp_vertex_t *v)
{
    const zp_partition_t *p = v->p;
    if (p->path == S_COMBINED)
        return s_has_messages (p, v->v) ? 1 : 0;
    return p->inbox_off[v->v + 1] - p->inbox_off[v->v];
}

size_t (zp_message_count) (const zp_vertex_t *v)
{
    size_t n = s_inbox_count (v);
    return v->p->program->combine_message && n > 1 ? 1 : n;
}

const void *zp_message (const zp_vertex_t *v, size_t i)
{
    zp_partition_t *p = v->p;
    static const zp_value_t zero[ZP_MAX_VALUE_SIZE / 8];
    if (!s_typed (v, "zp_message", p->program->message_type, ZP_STRUCT, "message") ||
        !s_index (v, "zp_message", i, zp_message_count (v)))
        return zero;
    uint64_t at = p->inbox_off[v->v] + i;
    const uint8_t *first = p->inbox_blob + p->inbox_blob_off[at];
    size_t n = s_inbox_count (v);
    if (!p->program->combine_message || n == 1)
        return first;
    /* Merged on the receiving side, into an aligned copy. */
    size_t size = zp_program_message_bytes (p->program);
    memcpy (p->fold, first, size);
    for (size_t k = 1; k < n; k++)
        p->program->combine_message (p->fold, p->inbox_blob + p->inbox_blob_off[at + k]);
    return p->fold;
}

static inline zp_value_t s_message (const zp_vertex_t *v, size_t i, const char *call,
                                    zp_type_t type)
{
    const zp_partition_t *p = v->p;
    if (!s_typed (v, call, p->program->message_type, type, "message") ||
        !s_index (v, call, i, zp_message_count (v)))
        return (zp_value_t){.bits = 0};
    if (p->path == S_COMBINED)
        return p->combine[(p->step + 1) & 1][(uint64_t) p->lo + v->v];
    if (p->path == S_LISTED)
        return p->inbox_val[p->inbox_off[v->v] + i];
    return (zp_value_t){.bits = 0};
}

double (zp_message_f64) (const zp_vertex_t *v, size_t i)
{
    return s_message (v, i, "zp_message_f64", ZP_F64).f64;
}
int64_t (zp_message_i64) (const zp_vertex_t *v, size_t i)
{
    return s_message (v, i, "zp_message_i64", ZP_I64).i64;
}
uint64_t (zp_message_u64) (const zp_vertex_t *v, size_t i)
{
    return s_message (v, i, "zp_message_u64", ZP_U64).u64;
}
const void *zp_message_bytes (const zp_vertex_t *v, size_t i, size_t *len)
{
    const zp_partition_t *p = v->p;
    *len = 0;
    if (p->path != S_BYTES) {
        s_typed (v, "zp_message_bytes", p->program->message_type, ZP_BYTES, "message");
        return NULL;
    }
    if (!s_index (v, "zp_message_bytes", i, zp_message_count (v)))
        return NULL;
    uint64_t at = p->inbox_off[v->v] + i;
    *len = p->inbox_blob_off[at + 1] - p->inbox_blob_off[at];
    return p->inbox_blob + p->inbox_blob_off[at];
}

/* Sends one fixed-size message on the listed path. */
static void s_send_listed (zp_partition_t *p, zp_handle_t to, zp_value_t m)
{
    uint32_t w = s_owner (p, to);
    s_box_t *b = &p->outbox[w];
    if (s_box_reserve (b, 1, true, false) != 0) {
        p->failed = -1;
        return;
    }
    b->ids[b->count] = to;
    b->values[b->count++] = m;
    if (w != p->worker && b->count * 16 >= p->settings.batch_bytes)
        s_flush_box (p, w);
}

/* Sends `m` to every handle in targets[0..count), into the lane's
   buffer: counted as messages here, or where they were counted before. */
static void s_send_many (const zp_vertex_t *v, const uint32_t *restrict t, size_t count,
                         zp_value_t m)
{
    v->lane->messages += count;
    s_scatter (v, t, count, m);
}
static void s_scatter (const zp_vertex_t *v, const uint32_t *restrict t, size_t count, zp_value_t m)
{
    zp_partition_t *p = v->p;
    if (p->path == S_LISTED) {
        for (size_t i = 0; i < count; i++)
            s_send_listed (p, t[i], m);
        return;
    }
    /* restrict: the values and the bitset never overlap, so the compiler
       need not reload one after each store to the other. */
    zp_value_t *restrict buf = v->lane->combine;
    uint8_t *restrict bits = v->lane->touched;
    bool mark = !s_improves (p->op, m); /* s_got: the flag is needed */
    switch (p->op) {
#define S_LOOP(expr)                                                                               \
    if (mark)                                                                                      \
        for (size_t i = 0; i < count; i++) {                                                       \
            zp_value_t *acc = &buf[t[i]];                                                          \
            expr;                                                                                  \
            s_set (bits, t[i]);                                                                    \
        }                                                                                          \
    else                                                                                           \
        for (size_t i = 0; i < count; i++) {                                                       \
            zp_value_t *acc = &buf[t[i]];                                                          \
            expr;                                                                                  \
        }                                                                                          \
    break;
#define S_CASE(op, expr)                                                                           \
    case op:                                                                                       \
        S_LOOP (expr)
        S_OPS (S_CASE)
#undef S_CASE
    case S_FN:
        for (size_t i = 0; i < count; i++) {
            if (s_bit (bits, t[i]))
                p->program->combine (&buf[t[i]], m);
            else
                buf[t[i]] = m;
            s_set (bits, t[i]);
        }
        break;
#undef S_LOOP
    }
}

static void s_send_bytes_one (zp_partition_t *p, zp_handle_t to, const void *data, size_t len)
{
    uint32_t w = s_owner (p, to);
    s_box_t *b = &p->outbox[w];
    if (s_box_reserve (b, 1, false, true) != 0 || s_box_reserve_data (b, len) != 0) {
        p->failed = -1;
        return;
    }
    b->ids[b->count] = to;
    if (len)
        memcpy (b->data + b->data_size, data, len);
    b->data_size += len;
    b->offsets[++b->count] = b->data_size;
    if (w != p->worker && s_box_bytes (b) >= p->settings.batch_bytes)
        s_flush_box (p, w);
}

/* Sending the wrong type, or to a handle that does not exist. */
static inline bool s_check_send (const zp_vertex_t *v, const char *call, zp_handle_t to,
                                 zp_type_t type)
{
    const zp_partition_t *p = v->p;
    if (p->initializing) {
        s_misuse (v, call, "messages are sent from compute(), not init()");
        return false;
    }
    if (p->program->message_type != type) {
        s_misuse (v, call, "sent %s, but the program's message type is %s", s_type_name (type),
                  s_type_name (p->program->message_type));
        return false;
    }
    if (to >= p->n_vertices) {
        s_misuse (v, call, "sent to handle %u, but |V| = %" PRIu64, to, p->n_vertices);
        return false;
    }
    return true;
}

static void s_send_value (zp_vertex_t *v, const char *call, zp_handle_t to, zp_value_t m,
                          zp_type_t type)
{
    if (s_check_send (v, call, to, type))
        s_send_many (v, &to, 1, m);
}

void zp_send_f64 (zp_vertex_t *v, zp_handle_t to, double message)
{
    s_send_value (v, "zp_send_f64", to, (zp_value_t){.f64 = message}, ZP_F64);
}
void zp_send_i64 (zp_vertex_t *v, zp_handle_t to, int64_t message)
{
    s_send_value (v, "zp_send_i64", to, (zp_value_t){.i64 = message}, ZP_I64);
}
void zp_send_u64 (zp_vertex_t *v, zp_handle_t to, uint64_t message)
{
    s_send_value (v, "zp_send_u64", to, (zp_value_t){.u64 = message}, ZP_U64);
}
void zp_send_bytes (zp_vertex_t *v, zp_handle_t to, const void *data, size_t len)
{
    if (s_check_send (v, "zp_send_bytes", to, ZP_BYTES)) {
        v->lane->messages++;
        s_send_bytes_one (v->p, to, data, len);
    }
}

static inline const uint32_t *s_out (const zp_vertex_t *v, size_t *count)
{
    *count = zp_out_degree (v);
    return v->p->out_tgt + v->p->out_off[v->v];
}

static const uint32_t *s_in (const zp_vertex_t *v, const char *call, size_t *count)
{
    const zp_partition_t *p = v->p;
    if (!s_has_in_edges (v, call))
        return *count = 0, p->out_tgt;
    if (!p->in_off)
        return s_out (v, count);
    *count = p->in_off[v->v + 1] - p->in_off[v->v];
    return p->in_src + p->in_off[v->v];
}

/* In a dense superstep: `m` to every out-neighbour goes in the vertex's
   slot (at the identity until then), combined with what it put there
   before in this superstep. As in the send loop, only a message that
   cannot say by its value that it is there (s_improves) sets a flag.
   Inline: it is most of what a dense superstep's compute() sends. */
static inline void s_share (const zp_vertex_t *v, zp_value_t m, size_t count)
{
    zp_partition_t *p = v->p;
    s_lane_t *l = v->lane;
    l->messages += count;
    l->shared += count;
    uint32_t slot = p->slot[v->v];
    zp_value_t *acc = &p->share[slot];
    switch (p->op) {
#define S_CASE(op, expr)                                                                           \
    case op:                                                                                       \
        expr;                                                                                      \
        break;
        S_OPS (S_CASE)
#undef S_CASE
    case S_FN:
        break; /* not pulled (pull_ok) */
    }
    if (!s_improves (p->op, m)) {
        p->share_set[slot] = 1;
        l->share_marks = true;
    }
}

/* Sends a fixed-size value to every out-neighbour (in = false) or in-neighbour. */
static void s_send_neighbours (zp_vertex_t *v, const char *call, bool in, zp_value_t m,
                               zp_type_t type)
{
    size_t n;
    const uint32_t *t = in ? s_in (v, call, &n) : s_out (v, &n);
    if (!n || !s_check_send (v, call, 0, type))
        return;
    if (!in && v->p->pull_ok)
        s_share (v, m, n);
    else
        s_send_many (v, t, n, m);
}

static void s_send_neighbours_bytes (zp_vertex_t *v, const char *call, bool in, const void *data,
                                     size_t len)
{
    size_t n;
    const uint32_t *t = in ? s_in (v, call, &n) : s_out (v, &n);
    if (!n || !s_check_send (v, call, 0, ZP_BYTES))
        return;
    v->lane->messages += n;
    for (size_t i = 0; i < n; i++)
        s_send_bytes_one (v->p, t[i], data, len);
}

/* A send to the out-neighbours that goes in the slot when the superstep
   pulls them (p->shares says it may, and its type is right, so nothing
   is left to check), else the checked way. */
#define S_SEND_OUT(member, type, zp_type)                                                          \
    void zp_send_out_##member (zp_vertex_t *v, type message)                                       \
    {                                                                                              \
        zp_value_t m = {.member = message};                                                        \
        if (v->p->shares == zp_type) {                                                             \
            size_t n = zp_inline_out_degree (v);                                                   \
            if (n)                                                                                 \
                s_share (v, m, n);                                                                 \
        } else                                                                                     \
            s_send_neighbours (v, "zp_send_out_" #member, false, m, zp_type);                      \
    }
S_SEND_OUT (f64, double, ZP_F64)
S_SEND_OUT (i64, int64_t, ZP_I64)
S_SEND_OUT (u64, uint64_t, ZP_U64)
#undef S_SEND_OUT
void zp_send_out_bytes (zp_vertex_t *v, const void *data, size_t len)
{
    s_send_neighbours_bytes (v, "zp_send_out_bytes", false, data, len);
}

/* A struct message as it travels: padded with zeroes to 8-byte words. */
static const void *s_padded (const zp_partition_t *p, const void *message, zp_value_t *buf)
{
    size_t size = p->program->message_size, padded = zp_program_message_bytes (p->program);
    if (size == padded)
        return message;
    memset ((char *) buf + size, 0, padded - size);
    memcpy (buf, message, size);
    return buf;
}

void zp_send (zp_vertex_t *v, zp_handle_t to, const void *message)
{
    zp_value_t buf[ZP_MAX_VALUE_SIZE / 8];
    if (s_check_send (v, "zp_send", to, ZP_STRUCT)) {
        v->lane->messages++;
        s_send_bytes_one (v->p, to, s_padded (v->p, message, buf),
                          zp_program_message_bytes (v->p->program));
    }
}

static void s_send_neighbours_struct (zp_vertex_t *v, const char *call, bool in,
                                      const void *message)
{
    zp_value_t buf[ZP_MAX_VALUE_SIZE / 8];
    size_t n;
    const uint32_t *t = in ? s_in (v, call, &n) : s_out (v, &n);
    if (!n || !s_check_send (v, call, 0, ZP_STRUCT))
        return;
    const void *data = s_padded (v->p, message, buf);
    size_t len = zp_program_message_bytes (v->p->program);
    v->lane->messages += n;
    for (size_t i = 0; i < n; i++)
        s_send_bytes_one (v->p, t[i], data, len);
}

void zp_send_out (zp_vertex_t *v, const void *message)
{
    s_send_neighbours_struct (v, "zp_send_out", false, message);
}
void zp_send_in (zp_vertex_t *v, const void *message)
{
    s_send_neighbours_struct (v, "zp_send_in", true, message);
}
void zp_send_in_f64 (zp_vertex_t *v, double message)
{
    s_send_neighbours (v, "zp_send_in_f64", true, (zp_value_t){.f64 = message}, ZP_F64);
}
void zp_send_in_i64 (zp_vertex_t *v, int64_t message)
{
    s_send_neighbours (v, "zp_send_in_i64", true, (zp_value_t){.i64 = message}, ZP_I64);
}
void zp_send_in_u64 (zp_vertex_t *v, uint64_t message)
{
    s_send_neighbours (v, "zp_send_in_u64", true, (zp_value_t){.u64 = message}, ZP_U64);
}
void zp_send_in_bytes (zp_vertex_t *v, const void *data, size_t len)
{
    s_send_neighbours_bytes (v, "zp_send_in_bytes", true, data, len);
}

/* The aggregator `index` for `call` reading or adding `type`, or NULL. */
static inline const zp_aggregator_def_t *s_aggregator (const zp_vertex_t *v, const char *call,
                                                       size_t index, zp_type_t type)
{
    const zp_program_t *prog = v->p->program;
    if (index >= prog->n_aggregators) {
        s_misuse (v, call, "aggregator %zu, but the program has %zu", index, prog->n_aggregators);
        return NULL;
    }
    if (!s_typed (v, call, prog->aggregators[index].type, type, "aggregator"))
        return NULL;
    return &prog->aggregators[index];
}

static void s_aggregate (zp_vertex_t *v, const char *call, size_t index, zp_value_t value,
                         zp_type_t type)
{
    const zp_aggregator_def_t *d = s_aggregator (v, call, index, type);
    if (d)
        s_combine (&v->lane->agg[index], value, d->op, d->type);
}

void zp_aggregate_f64 (zp_vertex_t *v, size_t index, double value)
{
    s_aggregate (v, "zp_aggregate_f64", index, (zp_value_t){.f64 = value}, ZP_F64);
}
void zp_aggregate_i64 (zp_vertex_t *v, size_t index, int64_t value)
{
    s_aggregate (v, "zp_aggregate_i64", index, (zp_value_t){.i64 = value}, ZP_I64);
}
void zp_aggregate_u64 (zp_vertex_t *v, size_t index, uint64_t value)
{
    s_aggregate (v, "zp_aggregate_u64", index, (zp_value_t){.u64 = value}, ZP_U64);
}
double (zp_aggregated_f64) (const zp_vertex_t *v, size_t index)
{
    return s_aggregator (v, "zp_aggregated_f64", index, ZP_F64) ? v->p->agg_prev[index].f64 : 0;
}
int64_t (zp_aggregated_i64) (const zp_vertex_t *v, size_t index)
{
    return s_aggregator (v, "zp_aggregated_i64", index, ZP_I64) ? v->p->agg_prev[index].i64 : 0;
}
uint64_t (zp_aggregated_u64) (const zp_vertex_t *v, size_t index)
{
    return s_aggregator (v, "zp_aggregated_u64", index, ZP_U64) ? v->p->agg_prev[index].u64 : 0;
}

void (zp_vote_to_halt) (zp_vertex_t *v)
{
    s_set (v->p->halted, v->v);
}

/* Checkpoints. */

/* The boxes the listed/bytes inbox is built from, in the order s_build_inbox reads them. */
static const s_box_t *s_inbox_box (const zp_partition_t *p, uint32_t w)
{
    return w == p->worker ? &p->outbox[w] : &p->inbound[w];
}

void zp_partition_state_write (const zp_partition_state_t *s, zp_cbor_writer_t *out)
{
    zp_cbor_write_array (out, 7);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, s->values, s->n * s->words * 8);
    zp_cbor_write_bytes (out, s->halted, s->n);
    zp_cbor_write_uint (out, s->path);
    zp_cbor_write_typed (out, ZP_TAG_U32LE, s->ids, s->count * 4);
    if (s->offsets) {
        zp_cbor_write_null (out);
        zp_cbor_write_typed (out, ZP_TAG_U64LE, s->offsets, (s->count + 1) * 8);
        zp_cbor_write_typed (out, ZP_TAG_U8, s->blob, s->blob_size);
    } else {
        zp_cbor_write_typed (out, ZP_TAG_U64LE, s->msgs, s->count * 8);
        zp_cbor_write_null (out);
        zp_cbor_write_null (out);
    }
}

int zp_partition_state_read (zp_cbor_reader_t *in, zp_partition_state_t *s, const char **what)
{
    size_t n_halted, n_values, n_msgs = 0, n_offsets = 0;
    memset (s, 0, sizeof *s);
    *what = "the state";
    if (zp_cbor_read_array_n (in, 7) != 0 ||
        zp_cbor_read_typed (in, ZP_TAG_U64LE, 8, &s->values, &n_values) != 0 ||
        zp_cbor_read_bytes (in, &s->halted, &n_halted) != 0 ||
        zp_cbor_read_uint (in, &s->path) != 0 ||
        zp_cbor_read_typed (in, ZP_TAG_U32LE, 4, &s->ids, &s->count) != 0)
        return -1;
    /* The values: `words` of them per vertex, whatever the program. */
    *what = "the vertex count";
    s->n = n_halted;
    s->words = n_halted ? n_values / n_halted : 1;
    if (s->words == 0 || s->words > ZP_MAX_VALUE_SIZE / 8 || n_values != s->n * s->words)
        return -1;
    *what = "the message path";
    if (s->path > S_BYTES)
        return -1;
    *what = "the inbox";
    if (s->path == S_BYTES) {
        if (!zp_cbor_read_null (in) ||
            zp_cbor_read_typed (in, ZP_TAG_U64LE, 8, &s->offsets, &n_offsets) != 0 ||
            zp_cbor_read_typed (in, ZP_TAG_U8, 1, &s->blob, &s->blob_size) != 0 ||
            n_offsets != s->count + 1 || zp_load_u64 (s->offsets) != 0 ||
            zp_load_u64 (s->offsets + 8 * s->count) != s->blob_size)
            return -1;
        for (size_t i = 0; i < s->count; i++)
            if (zp_load_u64 (s->offsets + 8 * i) > zp_load_u64 (s->offsets + 8 * (i + 1)))
                return -1;
    } else if (zp_cbor_read_typed (in, ZP_TAG_U64LE, 8, &s->msgs, &n_msgs) != 0 ||
               n_msgs != s->count || !zp_cbor_read_null (in) || !zp_cbor_read_null (in))
        return -1;
    if (!zp_cbor_at_end (in))
        return -1;
    for (size_t i = 0; i < s->count; i++)
        if (zp_load_u32 (s->ids + 4 * i) >= s->n)
            return -1;
    return 0;
}

void zp_partition_save (const zp_partition_t *p, zp_cbor_writer_t *out)
{
    zp_partition_state_t s = {.n = p->n,
                              .words = p->words,
                              .values = (const uint8_t *) p->values,
                              .halted = p->halted,
                              .path = p->path};
    /* The inbox, gathered in the order compute would read it. */
    if (p->path == S_COMBINED) {
        for (uint32_t v = 0; v < p->n; v++)
            s.count += s_got (p, (p->step + 1) & 1, (uint64_t) p->lo + v);
    } else
        for (uint32_t w = 0; w < p->n_sources; w++) {
            s.count += s_inbox_box (p, w)->count;
            s.blob_size += s_inbox_box (p, w)->data_size;
        }
    uint8_t *ids = malloc (s.count * 4 + 1);
    uint8_t *msgs = p->path != S_BYTES ? malloc (s.count * 8 + 1) : NULL;
    uint8_t *offsets = p->path == S_BYTES ? malloc ((s.count + 1) * 8) : NULL;
    uint8_t *blob = p->path == S_BYTES ? malloc (s.blob_size + 1) : NULL;
    if (!ids || (p->path != S_BYTES && !msgs) || (p->path == S_BYTES && (!offsets || !blob))) {
        out->failed = true;
        goto done;
    }
    size_t at = 0;
    if (p->path == S_COMBINED) {
        const zp_value_t *buf = p->combine[(p->step + 1) & 1];
        for (uint32_t v = 0; v < p->n; v++)
            if (s_got (p, (p->step + 1) & 1, (uint64_t) p->lo + v)) {
                zp_store_u32 (ids + 4 * at, v);
                zp_store_u64 (msgs + 8 * at++, buf[p->lo + v].bits);
            }
    } else {
        uint64_t pos = 0;
        for (uint32_t w = 0; w < p->n_sources; w++) {
            const s_box_t *b = s_inbox_box (p, w);
            for (size_t i = 0; i < b->count; i++, at++) {
                zp_store_u32 (ids + 4 * at, b->ids[i] - p->lo);
                if (msgs)
                    zp_store_u64 (msgs + 8 * at, b->values[i].bits);
                else {
                    zp_store_u64 (offsets + 8 * at, pos);
                    pos += b->offsets[i + 1] - b->offsets[i];
                }
            }
            if (blob && b->data_size)
                memcpy (blob + pos - b->data_size, b->data, b->data_size);
        }
        if (offsets)
            zp_store_u64 (offsets + 8 * at, pos);
    }
    s.ids = ids;
    s.msgs = msgs;
    s.offsets = offsets;
    s.blob = blob;
    zp_partition_state_write (&s, out);
done:
    free (ids);
    free (msgs);
    free (offsets);
    free (blob);
}

int zp_partition_restore (zp_partition_t *p, uint32_t step, zp_cbor_reader_t *in, char *err,
                          size_t errlen)
{
    zp_partition_state_t s;
    const char *what;
    if (zp_partition_state_read (in, &s, &what) != 0)
        goto bad;
    what = "the vertex count";
    if (s.n != p->n || (s.n && s.words != p->words))
        goto bad;
    what = "the message path (another program?)";
    if (s.path != p->path)
        goto bad;
    for (size_t i = 0; i < (size_t) p->n * p->words; i++)
        p->values[i].bits = zp_load_u64 (s.values + 8 * i);
    for (uint32_t v = 0; v < p->n; v++)
        p->halted[v] = s.halted[v] != 0;
    if (p->path == S_COMBINED) {
        uint32_t b = (step + 1) & 1;
        for (size_t i = 0; i < s.count; i++) {
            uint64_t h = (uint64_t) p->lo + zp_load_u32 (s.ids + 4 * i);
            p->combine[b][h].bits = zp_load_u64 (s.msgs + 8 * i);
            p->touched[b][h] = 1;
        }
        return 0;
    }
    /* Listed and bytes: the whole inbox, in order, as if we had sent it to ourselves. */
    s_box_t *box = &p->outbox[p->worker];
    s_box_clear (box);
    what = "memory";
    if (s_box_reserve (box, s.count, p->path == S_LISTED, p->path == S_BYTES) != 0 ||
        (p->path == S_BYTES && s_box_reserve_data (box, s.blob_size) != 0))
        goto bad;
    for (size_t i = 0; i < s.count; i++) {
        box->ids[i] = p->lo + zp_load_u32 (s.ids + 4 * i);
        if (p->path == S_LISTED)
            box->values[i].bits = zp_load_u64 (s.msgs + 8 * i);
        else
            box->offsets[i + 1] = (uint32_t) zp_load_u64 (s.offsets + 8 * (i + 1));
    }
    if (s.blob_size)
        memcpy (box->data, s.blob, s.blob_size);
    box->data_size = s.blob_size;
    box->count = s.count;
    return 0;
bad:
    snprintf (err, errlen, "the checkpoint does not fit this partition: bad %s", what);
    return -1;
}

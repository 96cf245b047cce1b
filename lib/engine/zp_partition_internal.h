/*  zp_partition_internal: what the files of the partition share (internal
    to lib/engine): its state, the lanes it computes on, the message paths
    and combiners, and the inline helpers of the hot loops.

    The partition is three files over this state:
    - zp_partition.c   building it, delivering batches, one superstep of
                       compute on its lanes, flushing to other workers;
    - zp_vertex.c      the vertex API that compute() calls (zp_program.h):
                       values, edges, messages, sends, aggregators;
    - zp_partition_state.c  the state of a superstep as a checkpoint holds it.
    The hot calls (a send to every out-neighbour) compile to a tight loop
    over the CSR with the combine inlined (ZP_OPS), picked once per call by
    a switch on the combiner, not per edge; link-time optimization inlines
    across the files what the headers cannot.
*/
#ifndef ZP_PARTITION_INTERNAL_H
#define ZP_PARTITION_INTERNAL_H

#include "zp_box.h"
#include "zp_mirror.h"
#include "zp_params.h"
#include "zp_partition.h"
#include "zp_pool.h"
#include "zp_pull.h"

#include <math.h>
#include <stdatomic.h>

typedef struct zp_lane_s zp_lane_t;

typedef enum { ZP_PATH_COMBINED, ZP_PATH_LISTED, ZP_PATH_BYTES } zp_path_t;
typedef enum {
    ZP_OP_SUM_F64,
    ZP_OP_SUM_I64, /* and U64: the same bits, wrapping */
    ZP_OP_MIN_F64,
    ZP_OP_MIN_I64,
    ZP_OP_MIN_U64,
    ZP_OP_MAX_F64,
    ZP_OP_MAX_I64,
    ZP_OP_MAX_U64,
    ZP_OP_FN
} zp_op_t;

/* What each built-in combiner does to an accumulator `acc` (a
   zp_value_t *) with a message `m`: the send loop and the pull inline it. */
#define ZP_OPS(X)                                                                                  \
    X (ZP_OP_SUM_F64, acc->f64 += m.f64)                                                           \
    X (ZP_OP_SUM_I64, acc->i64 = (int64_t) ((uint64_t) acc->i64 + (uint64_t) m.i64))               \
    X (ZP_OP_MIN_F64, acc->f64 = m.f64 < acc->f64 ? m.f64 : acc->f64)                              \
    X (ZP_OP_MIN_I64, acc->i64 = m.i64 < acc->i64 ? m.i64 : acc->i64)                              \
    X (ZP_OP_MIN_U64, acc->u64 = m.u64 < acc->u64 ? m.u64 : acc->u64)                              \
    X (ZP_OP_MAX_F64, acc->f64 = m.f64 > acc->f64 ? m.f64 : acc->f64)                              \
    X (ZP_OP_MAX_I64, acc->i64 = m.i64 > acc->i64 ? m.i64 : acc->i64)                              \
    X (ZP_OP_MAX_U64, acc->u64 = m.u64 > acc->u64 ? m.u64 : acc->u64)

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
    uint8_t *dirty;          /* the blocks of `combine` that may hold a message (ZP_BLOCK) */
    zp_value_t *own_combine; /* lanes 1..: |V| of each */
    uint8_t *own_touched;
    uint8_t *own_dirty;
    /* The blocks of its vertices (from its first block on) with a vertex
       awake after the last compute, and those of this one; and how many. */
    uint8_t *awake, *awake_next;
    uint64_t n_awake;
    /* The vertices that put a message in their slot this superstep, in
       order (at most to - from): a sparse superstep pushes only those. */
    uint32_t *senders;
    uint32_t n_senders;
    /* Lanes 1.. on the listed and bytes paths: their messages, a box per
       destination worker, kept until compute ends (zp_partition.c's
       s_merge_boxes puts them after lane 0's); NULL for lane 0, which
       sends into the partition's outboxes. */
    zp_box_t *boxes;
    void *scratch; /* zp_scratch */
    size_t scratch_size;
    uint64_t messages;
    uint64_t shared;  /* of the messages: those put in the senders' slots (pulled) */
    bool share_marks; /* one of them cannot say it is there by its value (zp_improves) */
    /* The first value put in a slot, and whether another differed: a
       superstep whose slots all hold one value (a BFS level) lets a min
       or max gather stop at the first sender of each target. */
    zp_value_t share_first;
    bool share_mixed;
    zp_value_t agg[ZP_MAX_AGGREGATORS];
    bool failed;
    char error[512];       /* its first program error */
    uint32_t vertex;       /* the vertex in compute(), or UINT32_MAX */
    _Atomic uint64_t done; /* vertices computed, for the ticks */
    uint64_t mine;         /* after compute: messages to our own vertices */
};

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
    zp_path_t path;
    zp_op_t op;
    zp_value_t identity;
    zp_value_t *combine[2];
    uint8_t *touched[2]; /* |V| flags per parity: a byte, so marking one is a store */
    uint8_t *dirty[2];   /* per parity, a byte a block of handles (ZP_BLOCK) */
    /* pull (engine.pull, zp_pull.h): a zp_send_out_* puts the message in
       the sender's slot; after compute, a dense superstep pulls the slots
       into the in-neighbours' entries, a sparse one pushes them */
    bool pull_ok;       /* engine.pull, a sum/min/max combiner, and memory */
    bool pulling;       /* this superstep was dense */
    zp_pull_t pull;     /* built with the partition (pull_ok) */
    zp_value_t *share;  /* n slots, at the identity between supersteps */
    uint8_t *share_set; /* n: set by a message that its value cannot tell of (zp_improves) */
    uint32_t *slot;     /* n: each vertex's slot, hubs first within a lane (zp_pull_order) */
    bool share_dirty;   /* slots may be off the identity: a superstep failed after sending */
    bool share_marks;   /* any lane's share_marks, for the gather */
    bool share_uniform; /* every slot sent holds share_value, and op selects (min, max) */
    bool monotone;      /* ZP_MONOTONE on the combined path: the pull leaves out a
                           message no better than its target's value (zp_better) */
    zp_value_t share_value;
    zp_mirror_t mirror;  /* the neighbours' values (ZP_READS_NEIGHBOURS) */
    zp_box_t *outbox;    /* per destination worker */
    zp_box_t *inbound;   /* per source worker, this superstep's deliveries */
    uint64_t *inbox_off; /* listed/bytes inbox: n+1 */
    zp_value_t *inbox_val;
    size_t inbox_val_cap;
    /* Bytes: where each message is and how long, in the boxes it came in
       (read in place, not copied): the inbound boxes, cleared only at the
       next superstep's begin, and self_inbox, what this worker sent
       itself, swapped out of outbox[worker] as the inbox is built (its
       next sends go to the box emptied). */
    const uint8_t **inbox_at;
    uint64_t *inbox_len;
    size_t inbox_at_cap;
    zp_box_t self_inbox;
    /* threads */
    zp_lane_t *lanes;
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

/* Blocks of 2^ZP_BLOCK handles or local vertices, a byte each, set when
   one of them may hold a message (or may be awake): a sparse superstep
   (a BFS's last levels, a path's every one) visits the blocks where
   something happened, not every vertex, and a superstep with one message
   costs microseconds, not a pass over |V|. A set byte only says "look":
   setting more is always right (after a failed superstep all are set). */
#define ZP_BLOCK 6
static inline size_t zp_blocks (uint64_t n)
{
    return (size_t) (n >> ZP_BLOCK) + 1;
}
/* The first handle or vertex of the block after i's. */
static inline uint64_t zp_block_next (uint64_t i)
{
    return ((i >> ZP_BLOCK) + 1) << ZP_BLOCK;
}
/* The blocks a lane's awake bytes cover: from its first vertex's to its last's. */
static inline size_t zp_lane_blocks (const zp_lane_t *l)
{
    return (l->to >> ZP_BLOCK) - (l->from >> ZP_BLOCK) + 1;
}
/* The messages of a batch: batch_bytes of 16-byte (handle, value) pairs, at least 16. */
static inline size_t zp_batch_limit (const zp_partition_t *p)
{
    size_t limit = p->settings.batch_bytes / 16;
    return limit < 16 ? 16 : limit;
}

/* Flags are bytes, not bits: the send loop marks a target with one store
   instead of a read-modify-write, which measured 14 -> 9 instructions an edge. */
static inline bool zp_flag (const uint8_t *flags, uint64_t i)
{
    return flags[i];
}
static inline void zp_flag_set (uint8_t *flags, uint64_t i)
{
    flags[i] = 1;
}

/* Whether entry h of a combined buffer (zp_got: of parity b) holds a message. A
   send marks its target's flag only when it has to (zp_improves): a
   message that moves the accumulator away from the identity for good
   leaves it there, so a differing value says so without the flag, and the
   send loop saves a store to a second array an edge (measured: 39 -> 22
   ms for the scale-20 PageRank scatter). */
static inline bool zp_holds (const uint8_t *flags, const zp_value_t *values, uint64_t identity,
                             uint64_t h)
{
    return flags[h] | (values[h].bits != identity);
}
static inline bool zp_got (const zp_partition_t *p, uint32_t b, uint64_t h)
{
    return zp_holds (p->touched[b], p->combine[b], p->identity.bits, h);
}

/* Whether combining m into any accumulator can never give back the
   identity's bits: a positive sum, a min below the largest value, a max
   above the smallest. Sums of integers wrap, and go the slow way. */
static inline bool zp_improves (zp_op_t op, zp_value_t m)
{
    switch (op) {
    case ZP_OP_SUM_F64:
        return m.f64 > 0;
    case ZP_OP_MIN_F64:
        return m.f64 < INFINITY;
    case ZP_OP_MIN_I64:
        return m.i64 < INT64_MAX;
    case ZP_OP_MIN_U64:
        return m.u64 < UINT64_MAX;
    case ZP_OP_MAX_F64:
        return m.f64 > -INFINITY;
    case ZP_OP_MAX_I64:
        return m.i64 > INT64_MIN;
    case ZP_OP_MAX_U64:
        return m.u64 > 0;
    default:
        return false;
    }
}

/* Whether combining copies of one value gives that value (min, max). */
static inline bool zp_selects (zp_op_t op)
{
    switch (op) {
    case ZP_OP_MIN_F64:
    case ZP_OP_MIN_I64:
    case ZP_OP_MIN_U64:
    case ZP_OP_MAX_F64:
    case ZP_OP_MAX_I64:
    case ZP_OP_MAX_U64:
        return true;
    default:
        return false;
    }
}

/* Whether message m is better than a vertex's value v (ZP_MONOTONE): below
   it for a min, above it for a max. */
static inline bool zp_better (zp_op_t op, zp_value_t m, zp_value_t v)
{
    switch (op) {
    case ZP_OP_MIN_F64:
        return m.f64 < v.f64;
    case ZP_OP_MIN_I64:
        return m.i64 < v.i64;
    case ZP_OP_MIN_U64:
        return m.u64 < v.u64;
    case ZP_OP_MAX_F64:
        return m.f64 > v.f64;
    case ZP_OP_MAX_I64:
        return m.i64 > v.i64;
    case ZP_OP_MAX_U64:
        return m.u64 > v.u64;
    default:
        return true;
    }
}

static inline void zp_combine (zp_value_t *acc, zp_value_t m, zp_combiner_t op, zp_type_t type)
{
    zp_combiner_apply (op, type, acc, m);
}

/* Which worker owns handle h. */
static inline uint32_t zp_owner (const zp_partition_t *p, zp_handle_t h)
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

/* Whether local vertex v has messages this superstep. */
static inline bool zp_has_messages (const zp_partition_t *p, uint32_t v)
{
    if (p->path == ZP_PATH_COMBINED)
        return zp_got (p, (p->step + 1) & 1, (uint64_t) p->lo + v);
    return p->inbox_off[v + 1] > p->inbox_off[v];
}

/* Sends box `b` to worker `dst` as a batch of `type` with `flags`
   (zp_flush_fn) and empties it; 0, or -1 once compute has failed. */
int zp_partition_send_box (zp_partition_t *p, uint32_t dst, zp_box_t *b, zp_type_t type,
                           uint32_t flags);
/* Sends the outbox of worker `dst` as a batch (counted as sent). */
int zp_partition_flush_box (zp_partition_t *p, uint32_t dst);
/* Builds the listed or bytes inbox of this superstep from our own outbox
   and the inbound boxes, in source order. 0 or -1 (memory). */
int zp_partition_build_inbox (zp_partition_t *p);
/* Sets each lane's awake blocks from the halted flags (after init() and
   after a restore). */
void zp_partition_wake_blocks (zp_partition_t *p);
/* Combines `m` into the lane's buffer at each of the `count` targets `t`
   (or, on the listed path, sends it to each). */
void zp_vertex_scatter (const zp_vertex_t *v, const uint32_t *restrict t, size_t count,
                        zp_value_t m);

#endif

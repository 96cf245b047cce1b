/*  zp_vertex: the vertex API that compute() calls (zpregel/zp_program.h),
    over the partition's state (zp_partition_internal.h). With
    engine.check_program every call is checked and a misuse fails the job
    with the call named (s_misuse); otherwise the calls trust the program.
*/
#include "zp_partition_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    zp_lane_t *l = v->lane;
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
size_t (zp_in_degree) (const zp_vertex_t *v)
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
const zp_handle_t *(zp_out_targets) (const zp_vertex_t *v)
{
    return v->p->out_tgt + v->p->out_off[v->v];
}
const zp_handle_t *(zp_in_sources) (const zp_vertex_t *v)
{
    const zp_partition_t *p = v->p;
    if (!s_has_in_edges (v, "zp_in_sources"))
        return p->out_tgt; /* with a degree of 0 (zp_in_degree) */
    if (!p->in_off)
        return (zp_out_targets) (v);
    return p->in_src + p->in_off[v->v];
}

zp_handle_t (zp_local_first) (const zp_vertex_t *v)
{
    return v->p->lo;
}
size_t (zp_local_count) (const zp_vertex_t *v)
{
    return v->p->n;
}
void *(zp_local_value) (zp_vertex_t *v, zp_handle_t h)
{
    zp_partition_t *p = v->p;
    if (p->checked && h >= p->n_vertices) {
        s_misuse (v, "zp_local_value", "handle %u, but |V| = %" PRIu64, h, p->n_vertices);
        return NULL;
    }
    if (h - p->lo >= p->n)
        return NULL;
    return &p->values[(size_t) (h - p->lo) * p->words];
}

/* A neighbour's value of the previous superstep (ZP_READS_NEIGHBOURS):
   the view's entry at handle h, after the checks. */
static bool s_reads_neighbours (const zp_vertex_t *v, const char *call, zp_type_t type)
{
    const zp_partition_t *p = v->p;
    if (!p->mirror.view) {
        s_misuse (v, call, "the program does not declare ZP_READS_NEIGHBOURS");
        return false;
    }
    if (p->step == 0) { /* init () runs before superstep 0 too */
        s_misuse (v, call, "neighbours' values are there from superstep 1 on");
        return false;
    }
    return s_typed (v, call, p->program->value_type, type, "value");
}
#define S_NEIGHBOUR_VALUE(type, member, T)                                                         \
    type (zp_out_value_##member) (const zp_vertex_t *v, size_t i)                                  \
    {                                                                                              \
        const zp_partition_t *p = v->p;                                                            \
        if (!s_reads_neighbours (v, "zp_out_value_" #member, T) ||                                 \
            !s_index (v, "zp_out_value_" #member, i, zp_out_degree (v)))                           \
            return 0;                                                                              \
        return p->mirror.view[p->out_tgt[p->out_off[v->v] + i]].member;                            \
    }                                                                                              \
    type (zp_in_value_##member) (const zp_vertex_t *v, size_t i)                                   \
    {                                                                                              \
        const zp_partition_t *p = v->p;                                                            \
        if (!s_reads_neighbours (v, "zp_in_value_" #member, T) ||                                  \
            !s_index (v, "zp_in_value_" #member, i, p->in_off[v->v + 1] - p->in_off[v->v]))        \
            return 0;                                                                              \
        return p->mirror.view[p->in_src[p->in_off[v->v] + i]].member;                              \
    }
S_NEIGHBOUR_VALUE (double, f64, ZP_F64)
S_NEIGHBOUR_VALUE (int64_t, i64, ZP_I64)
S_NEIGHBOUR_VALUE (uint64_t, u64, ZP_U64)
#undef S_NEIGHBOUR_VALUE

/* Messages in the inbox for the vertex, before any merge of struct ones. */
static inline size_t s_inbox_count (const zp_vertex_t *v)
{
    const zp_partition_t *p = v->p;
    if (p->path == ZP_PATH_COMBINED)
        return zp_has_messages (p, v->v) ? 1 : 0;
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
    const uint8_t *first = p->inbox_at[at];
    size_t n = s_inbox_count (v);
    if (!p->program->combine_message || n == 1)
        return first;
    /* Merged on the receiving side, into an aligned copy. */
    size_t size = zp_program_message_bytes (p->program);
    memcpy (p->fold, first, size);
    for (size_t k = 1; k < n; k++)
        p->program->combine_message (p->fold, p->inbox_at[at + k]);
    return p->fold;
}

static inline zp_value_t s_message (const zp_vertex_t *v, size_t i, const char *call,
                                    zp_type_t type)
{
    const zp_partition_t *p = v->p;
    if (!s_typed (v, call, p->program->message_type, type, "message") ||
        !s_index (v, call, i, zp_message_count (v)))
        return (zp_value_t){.bits = 0};
    if (p->path == ZP_PATH_COMBINED)
        return p->combine[(p->step + 1) & 1][(uint64_t) p->lo + v->v];
    if (p->path == ZP_PATH_LISTED)
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
    if (p->path != ZP_PATH_BYTES) {
        s_typed (v, "zp_message_bytes", p->program->message_type, ZP_BYTES, "message");
        return NULL;
    }
    if (!s_index (v, "zp_message_bytes", i, zp_message_count (v)))
        return NULL;
    uint64_t at = p->inbox_off[v->v] + i;
    *len = p->inbox_len[at];
    return p->inbox_at[at];
}

/* The box of worker w's messages from v's lane: the partition's outbox
   for lane 0, the worker's own thread, which sends a full one to another
   worker at once; the lane's own for the others, kept until compute ends. */
static inline zp_box_t *s_box (const zp_vertex_t *v, uint32_t w, bool *flushes)
{
    *flushes = !v->lane->boxes && w != v->p->worker;
    return v->lane->boxes ? &v->lane->boxes[w] : &v->p->outbox[w];
}

/* Sends one fixed-size message on the listed path. */
static void s_send_listed (const zp_vertex_t *v, zp_handle_t to, zp_value_t m)
{
    zp_partition_t *p = v->p;
    uint32_t w = zp_owner (p, to);
    bool flushes;
    zp_box_t *b = s_box (v, w, &flushes);
    if (zp_box_push (b, to, m) != 0) {
        p->failed = -1;
        return;
    }
    if (flushes && zp_box_bytes (b) >= p->settings.batch_bytes)
        zp_partition_flush_box (p, w);
}

/* Sends `m` to every handle in targets[0..count), into the lane's
   buffer: counted as messages here, or where they were counted before. */
static void s_send_many (const zp_vertex_t *v, const uint32_t *restrict t, size_t count,
                         zp_value_t m)
{
    v->lane->messages += count;
    zp_vertex_scatter (v, t, count, m);
}
/* A message into a lane's combining array under the program's own
   combine(): the first one to a target is taken as it is. */
static inline void s_combine_fn (const zp_partition_t *p, zp_value_t *buf, uint8_t *bits,
                                 uint8_t *dirty, uint32_t to, zp_value_t m)
{
    if (zp_flag (bits, to))
        p->program->combine (&buf[to], m);
    else
        buf[to] = m;
    zp_flag_set (bits, to);
    dirty[to >> ZP_BLOCK] = 1;
}

void zp_vertex_scatter (const zp_vertex_t *v, const uint32_t *restrict t, size_t count,
                        zp_value_t m)
{
    zp_partition_t *p = v->p;
    if (p->path == ZP_PATH_LISTED) {
        for (size_t i = 0; i < count; i++)
            s_send_listed (v, t[i], m);
        return;
    }
    /* restrict: the values and the bitset never overlap, so the compiler
       need not reload one after each store to the other. */
    zp_value_t *restrict buf = v->lane->combine;
    uint8_t *restrict bits = v->lane->touched;
    uint8_t *restrict dirty = v->lane->dirty; /* ZP_BLOCK */
    bool mark = !zp_improves (p->op, m);      /* zp_got: the flag is needed */
    switch (p->op) {
#define S_LOOP(expr)                                                                               \
    if (mark)                                                                                      \
        for (size_t i = 0; i < count; i++) {                                                       \
            zp_value_t *acc = &buf[t[i]];                                                          \
            expr;                                                                                  \
            zp_flag_set (bits, t[i]);                                                              \
            dirty[t[i] >> ZP_BLOCK] = 1;                                                           \
        }                                                                                          \
    else                                                                                           \
        for (size_t i = 0; i < count; i++) {                                                       \
            zp_value_t *acc = &buf[t[i]];                                                          \
            expr;                                                                                  \
            dirty[t[i] >> ZP_BLOCK] = 1;                                                           \
        }                                                                                          \
    break;
#define S_CASE(op, expr)                                                                           \
    case op:                                                                                       \
        S_LOOP (expr)
        ZP_OPS (S_CASE)
#undef S_CASE
    case ZP_OP_FN:
        for (size_t i = 0; i < count; i++)
            s_combine_fn (p, buf, bits, dirty, t[i], m);
        break;
#undef S_LOOP
    }
}

static void s_send_bytes_one (const zp_vertex_t *v, zp_handle_t to, const void *data, size_t len)
{
    zp_partition_t *p = v->p;
    uint32_t w = zp_owner (p, to);
    bool flushes;
    zp_box_t *b = s_box (v, w, &flushes);
    if (zp_box_push_bytes (b, to, data, len) != 0) {
        p->failed = -1;
        return;
    }
    if (flushes && zp_box_bytes (b) >= p->settings.batch_bytes)
        zp_partition_flush_box (p, w);
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

/* One message to each of `count` handles, checked as that many sends
   (a handle past |V| would write outside the combining array), then
   sent in one loop. */
static void s_send_each (zp_vertex_t *v, const char *call, const zp_handle_t *to, size_t count,
                         zp_value_t m, zp_type_t type)
{
    zp_handle_t last = 0;
    for (size_t i = 0; i < count; i++)
        last = to[i] > last ? to[i] : last;
    if (count && !s_check_send (v, call, last, type))
        return;
    s_send_many (v, to, count, m);
}
void zp_send_each_f64 (zp_vertex_t *v, const zp_handle_t *to, size_t count, double message)
{
    s_send_each (v, "zp_send_each_f64", to, count, (zp_value_t){.f64 = message}, ZP_F64);
}
void zp_send_each_i64 (zp_vertex_t *v, const zp_handle_t *to, size_t count, int64_t message)
{
    s_send_each (v, "zp_send_each_i64", to, count, (zp_value_t){.i64 = message}, ZP_I64);
}
void zp_send_each_u64 (zp_vertex_t *v, const zp_handle_t *to, size_t count, uint64_t message)
{
    s_send_each (v, "zp_send_each_u64", to, count, (zp_value_t){.u64 = message}, ZP_U64);
}

void zp_send_bytes (zp_vertex_t *v, zp_handle_t to, const void *data, size_t len)
{
    if (s_check_send (v, "zp_send_bytes", to, ZP_BYTES)) {
        v->lane->messages++;
        s_send_bytes_one (v, to, data, len);
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
   cannot say by its value that it is there (zp_improves) sets a flag.
   Inline: it is most of what a dense superstep's compute() sends. */
static inline void s_share (const zp_vertex_t *v, zp_value_t m, size_t count)
{
    zp_partition_t *p = v->p;
    zp_lane_t *l = v->lane;
    if (!l->shared)
        l->share_first = m;
    else
        l->share_mixed |= m.bits != l->share_first.bits;
    l->messages += count;
    l->shared += count;
    uint32_t slot = p->slot[v->v];
    zp_value_t *acc = &p->share[slot];
    if (acc->bits == p->identity.bits && !p->share_set[slot])
        l->senders[l->n_senders++] = v->v; /* its first message this superstep */
    switch (p->op) {
#define S_CASE(op, expr)                                                                           \
    case op:                                                                                       \
        expr;                                                                                      \
        break;
        ZP_OPS (S_CASE)
#undef S_CASE
    case ZP_OP_FN:
        break; /* not pulled (pull_ok) */
    }
    if (!zp_improves (p->op, m)) {
        p->share_set[slot] = 1;
        l->share_marks = true;
    }
}

void zp_send_out_plus_weight (zp_vertex_t *v, double base)
{
    const char *call = "zp_send_out_plus_weight";
    zp_partition_t *p = v->p;
    if (!p->out_w) {
        s_misuse (v, call, "the program does not declare ZP_NEEDS_WEIGHTS");
        return;
    }
    size_t count;
    const uint32_t *restrict t = s_out (v, &count);
    if (!count || !s_check_send (v, call, 0, ZP_F64))
        return;
    const double *restrict w = p->out_w + p->out_off[v->v];
    v->lane->messages += count;
    if (p->path == ZP_PATH_LISTED) {
        for (size_t i = 0; i < count; i++)
            s_send_listed (v, t[i], (zp_value_t){.f64 = base + w[i]});
        return;
    }
    /* As zp_vertex_scatter, with a message an edge. */
    zp_value_t *restrict buf = v->lane->combine;
    uint8_t *restrict bits = v->lane->touched;
    uint8_t *restrict dirty = v->lane->dirty;
    switch (p->op) {
#define S_CASE(op, expr)                                                                           \
    case op:                                                                                       \
        for (size_t i = 0; i < count; i++) {                                                       \
            zp_value_t m = {.f64 = base + w[i]}, *acc = &buf[t[i]];                                \
            expr;                                                                                  \
            if (!zp_improves (op, m))                                                              \
                zp_flag_set (bits, t[i]);                                                          \
            dirty[t[i] >> ZP_BLOCK] = 1;                                                           \
        }                                                                                          \
        break;
        ZP_OPS (S_CASE)
#undef S_CASE
    case ZP_OP_FN:
        for (size_t i = 0; i < count; i++)
            s_combine_fn (p, buf, bits, dirty, t[i], (zp_value_t){.f64 = base + w[i]});
        break;
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
        s_send_bytes_one (v, t[i], data, len);
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
        s_send_bytes_one (v, to, s_padded (v->p, message, buf),
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
        s_send_bytes_one (v, t[i], data, len);
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
        zp_combine (&v->lane->agg[index], value, d->op, d->type);
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
    zp_flag_set (v->p->halted, v->v);
}

void *zp_scratch (zp_vertex_t *v, size_t bytes)
{
    zp_lane_t *l = v->lane;
    if (bytes <= l->scratch_size)
        return l->scratch;
    size_t size = l->scratch_size ? l->scratch_size : 4096;
    while (size < bytes)
        size *= 2;
    uint8_t *grown = realloc (l->scratch, size);
    if (!grown) {
        /* Loud: a program that skips the work without it would be wrong. */
        s_misuse (v, "zp_scratch", "out of memory for %zu bytes", bytes);
        return NULL;
    }
    memset (grown + l->scratch_size, 0, size - l->scratch_size);
    l->scratch = grown;
    l->scratch_size = size;
    return grown;
}

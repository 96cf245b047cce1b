/*  zp_control: encoders and validating decoders for control messages.

    Each message is [kind, version, fields...] with a fixed number of fields.
    Decoders check the count of every typed array against the counts stated
    earlier in the same frame (for ASSIGN: n_workers, the local vertex count,
    the edge count taken from the last offset), so a decoded struct can be used
    without further bounds checks. What the values mean (a handle inside its
    range, an offset table that never decreases) is checked by the receiver,
    which knows the context.
*/
#include "zp_control.h"
#include "zp_frame_internal.h"

/* A typed array that must hold exactly `count` elements. */
static int s_typed (zp_cbor_reader_t *r, uint64_t tag, size_t elem, size_t count,
                    const uint8_t **data)
{
    zp_cbor_item_t item;
    size_t got;
    if (zp_cbor_peek (r, &item) != 0)
        return ZP_EMALFORMED;
    if (zp_cbor_read_typed (r, tag, elem, data, &got) != 0)
        return ZP_ETYPE;
    return got == count ? 0 : ZP_ECOUNT;
}

/* A typed array of any length. */
static int s_typed_any (zp_cbor_reader_t *r, uint64_t tag, size_t elem, size_t *count,
                        const uint8_t **data)
{
    zp_cbor_item_t item;
    if (zp_cbor_peek (r, &item) != 0)
        return ZP_EMALFORMED;
    return zp_cbor_read_typed (r, tag, elem, data, count) == 0 ? 0 : ZP_ETYPE;
}

/* A typed array of `count` elements, or null (then *data = NULL). */
static int s_typed_opt (zp_cbor_reader_t *r, uint64_t tag, size_t elem, size_t count,
                        const uint8_t **data)
{
    if (zp_cbor_read_null (r)) {
        *data = NULL;
        return 0;
    }
    return s_typed (r, tag, elem, count, data);
}

static int s_text (zp_cbor_reader_t *r, const char **text, size_t *len)
{
    zp_cbor_item_t item;
    if (zp_cbor_peek (r, &item) != 0)
        return ZP_EMALFORMED;
    return zp_cbor_read_text (r, text, len) == 0 ? 0 : ZP_ETYPE;
}

static int s_bool (zp_cbor_reader_t *r, bool *value)
{
    zp_cbor_item_t item;
    if (zp_cbor_peek (r, &item) != 0)
        return ZP_EMALFORMED;
    return zp_cbor_read_bool (r, value) == 0 ? 0 : ZP_ETYPE;
}

static int s_double (zp_cbor_reader_t *r, double *value)
{
    zp_cbor_item_t item;
    if (zp_cbor_peek (r, &item) != 0)
        return ZP_EMALFORMED;
    return zp_cbor_read_double (r, value) == 0 ? 0 : ZP_ETYPE;
}

#define S_TRY(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    } while (0)

static int s_done (const zp_cbor_writer_t *w)
{
    return w->failed ? -1 : 0;
}

/* HELLO: [kind, version, role, name, [endpoints], locality] */
int zp_hello_encode (const zp_hello_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_HELLO, 6);
    zp_cbor_write_uint (out, m->role);
    zp_cbor_write_text (out, m->name);
    zp_cbor_write_array (out, m->n_endpoints);
    for (size_t i = 0; i < m->n_endpoints; i++)
        zp_cbor_write_text (out, m->endpoints[i]);
    zp_cbor_write_text (out, m->locality);
    return s_done (out);
}

int zp_hello_decode (const void *frame, size_t size, zp_hello_t *m)
{
    zp_cbor_reader_t r;
    memset (m, 0, sizeof *m);
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_HELLO, 6));
    ZP_READ_U (&r, ZP_ROLE_ROUTER, m->role);
    S_TRY (s_text (&r, &m->name, &m->name_len));
    zp_cbor_item_t item;
    if (zp_cbor_peek (&r, &item) != 0)
        return ZP_EMALFORMED;
    if (zp_cbor_read_array (&r, &m->n_endpoints) != 0)
        return ZP_ETYPE;
    if (m->n_endpoints > ZP_HELLO_MAX_ENDPOINTS)
        return ZP_ERANGE;
    for (size_t i = 0; i < m->n_endpoints; i++)
        S_TRY (s_text (&r, &m->endpoints[i], &m->endpoint_lens[i]));
    S_TRY (s_text (&r, &m->locality, &m->locality_len));
    return zp_frame_end (&r);
}

/* REPLAY: [kind, version, from, to] */
int zp_replay_encode (const zp_replay_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_REPLAY, 4);
    zp_cbor_write_uint (out, m->from);
    zp_cbor_write_uint (out, m->to);
    return s_done (out);
}

int zp_replay_decode (const void *frame, size_t size, zp_replay_t *m)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_REPLAY, 4));
    ZP_READ_U (&r, UINT64_MAX, m->from);
    ZP_READ_U (&r, UINT64_MAX, m->to);
    if (m->to < m->from)
        return ZP_ERANGE;
    return zp_frame_end (&r);
}

int zp_gone_encode (uint64_t first, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_GONE, 3);
    zp_cbor_write_uint (out, first);
    return s_done (out);
}

int zp_gone_decode (const void *frame, size_t size, uint64_t *first)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_GONE, 3));
    ZP_READ_U (&r, UINT64_MAX, *first);
    if (*first < 2)
        return ZP_ERANGE;
    return zp_frame_end (&r);
}

/* `count` text items. */
static int s_texts (zp_cbor_reader_t *r, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const char *text;
        size_t len;
        S_TRY (s_text (r, &text, &len));
    }
    return 0;
}

static int s_read_settings (zp_cbor_reader_t *r, zp_settings_t *s)
{
    if (zp_cbor_read_array_n (r, 16) != 0)
        return ZP_ETYPE;
    ZP_READ_U (r, UINT64_MAX, s->batch_bytes);
    ZP_READ_U (r, 22, s->compress_level);
    ZP_READ_U (r, UINT64_MAX, s->compress_min);
    ZP_READ_U (r, ZP_COMPRESS_OFF, s->compress);
    ZP_READ_U (r, UINT32_MAX, s->max_supersteps);
    ZP_READ_U (r, UINT32_MAX, s->ack_timeout_ms);
    ZP_READ_U (r, UINT32_MAX, s->max_retries);
    ZP_READ_U (r, UINT32_MAX, s->heartbeat_ms);
    ZP_READ_U (r, UINT32_MAX, s->liveness);
    ZP_READ_U (r, UINT32_MAX, s->checkpoint_every);
    S_TRY (s_text (r, &s->checkpoint_dir, &s->checkpoint_dir_len));
    ZP_READ_U (r, UINT32_MAX, s->restore_step);
    ZP_READ_U (r, 1, s->check_program);
    ZP_READ_U (r, ZP_MAX_THREADS, s->threads);
    ZP_READ_U (r, UINT32_MAX, s->host_workers);
    ZP_READ_U (r, 1, s->pull);
    if (s->checkpoint_dir_len >= 4096 || memchr (s->checkpoint_dir, 0, s->checkpoint_dir_len) ||
        ((s->checkpoint_every || s->restore_step) && !s->checkpoint_dir_len))
        return ZP_ERANGE;
    return 0;
}

static void s_write_settings (zp_cbor_writer_t *out, const zp_settings_t *s);

/* Node keys (ZP_KEY_TEXT each): a byte string, or null. */
static void s_write_keys (zp_cbor_writer_t *out, const uint8_t *keys, size_t n_nodes)
{
    if (keys)
        zp_cbor_write_bytes (out, keys, n_nodes * ZP_KEY_TEXT);
    else
        zp_cbor_write_null (out);
}

static int s_read_keys (zp_cbor_reader_t *r, size_t n_nodes, const uint8_t **keys)
{
    *keys = NULL;
    if (zp_cbor_read_null (r))
        return 0;
    size_t len;
    if (zp_cbor_read_bytes (r, keys, &len) != 0)
        return ZP_ETYPE;
    if (len != n_nodes * ZP_KEY_TEXT)
        return ZP_ECOUNT;
    for (size_t i = 0; i < len; i++)
        if ((*keys)[i] < 0x21 || (*keys)[i] > 0x7e)
            return ZP_ERANGE; /* Z85 is printable */
    return 0;
}

/* ASSIGN: [kind, version, job, worker, n_workers, n_vertices, directed, program,
            params, ranges, ids, out_offsets, out_targets, out_weights,
            in_offsets, in_targets, peers, routers, keys, vertex_values, settings] */
#define S_ASSIGN_FIELDS 21

/* A bulk array of an ASSIGN: copied from `data`, or, with `at`, room left
   for it and its offset in the frame said in *at. */
static void s_bulk (zp_cbor_writer_t *out, uint64_t tag, const uint8_t *data, size_t size,
                    size_t *at)
{
    if (!at) {
        zp_cbor_write_typed (out, tag, data, size);
        return;
    }
    uint8_t *room = zp_cbor_write_typed_reserve (out, tag, size);
    *at = room ? (size_t) (room - out->data) : 0;
}

static int s_assign_encode (const zp_assign_t *m, zp_cbor_writer_t *out, zp_assign_room_t *room)
{
    size_t n =
        zp_load_u32 (m->ranges + 4 * (m->worker + 1)) - zp_load_u32 (m->ranges + 4 * m->worker);
    if (room)
        memset (room, 0, sizeof *room);
#define S_AT(field) (room ? &room->field : NULL)
    zp_frame_write_begin (out, ZP_MSG_ASSIGN, S_ASSIGN_FIELDS);
    zp_cbor_write_uint (out, m->job);
    zp_cbor_write_uint (out, m->worker);
    zp_cbor_write_uint (out, m->n_workers);
    zp_cbor_write_uint (out, m->n_vertices);
    zp_cbor_write_bool (out, m->directed);
    zp_cbor_write_text (out, m->program);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, m->params, m->n_params * 8);
    zp_cbor_write_typed (out, ZP_TAG_U32LE, m->ranges, (m->n_workers + 1) * 4);
    s_bulk (out, ZP_TAG_U64LE, m->ids, n * 8, S_AT (ids));
    s_bulk (out, ZP_TAG_U64LE, m->out_offsets, (n + 1) * 8, S_AT (out_offsets));
    s_bulk (out, ZP_TAG_U32LE, m->out_targets, m->n_edges * 4, S_AT (out_targets));
    if (m->out_weights)
        s_bulk (out, ZP_TAG_F64LE, m->out_weights, m->n_edges * 8, S_AT (out_weights));
    else
        zp_cbor_write_null (out);
    if (m->in_offsets) {
        s_bulk (out, ZP_TAG_U64LE, m->in_offsets, (n + 1) * 8, S_AT (in_offsets));
        s_bulk (out, ZP_TAG_U32LE, m->in_targets, m->n_in_edges * 4, S_AT (in_targets));
    } else {
        zp_cbor_write_null (out);
        zp_cbor_write_null (out);
    }
    zp_cbor_write_array (out, m->n_workers);
    for (uint32_t i = 0; i < m->n_workers; i++)
        zp_cbor_write_text (out, m->peers[i]);
    zp_cbor_write_array (out, m->n_routers);
    for (uint32_t i = 0; i < m->n_routers; i++)
        zp_cbor_write_text (out, m->routers[i]);
    s_write_keys (out, m->keys, (size_t) m->n_workers + m->n_routers);
    if (m->vertex_values)
        s_bulk (out, ZP_TAG_F64LE, m->vertex_values, n * 8, S_AT (vertex_values));
    else
        zp_cbor_write_null (out);
#undef S_AT
    s_write_settings (out, &m->settings);
    return s_done (out);
}

int zp_assign_encode (const zp_assign_t *m, zp_cbor_writer_t *out)
{
    return s_assign_encode (m, out, NULL);
}

int zp_assign_encode_room (const zp_assign_t *m, zp_cbor_writer_t *out, zp_assign_room_t *room)
{
    return s_assign_encode (m, out, room);
}

static void s_write_settings (zp_cbor_writer_t *out, const zp_settings_t *s)
{
    zp_cbor_write_array (out, 16);
    zp_cbor_write_uint (out, s->batch_bytes);
    zp_cbor_write_uint (out, s->compress_level);
    zp_cbor_write_uint (out, s->compress_min);
    zp_cbor_write_uint (out, (uint64_t) s->compress);
    zp_cbor_write_uint (out, s->max_supersteps);
    zp_cbor_write_uint (out, s->ack_timeout_ms);
    zp_cbor_write_uint (out, s->max_retries);
    zp_cbor_write_uint (out, s->heartbeat_ms);
    zp_cbor_write_uint (out, s->liveness);
    zp_cbor_write_uint (out, s->checkpoint_every);
    zp_cbor_write_text (out, s->checkpoint_dir ? s->checkpoint_dir : "");
    zp_cbor_write_uint (out, s->restore_step);
    zp_cbor_write_uint (out, s->check_program);
    zp_cbor_write_uint (out, s->threads);
    zp_cbor_write_uint (out, s->host_workers);
    zp_cbor_write_uint (out, s->pull);
}

int zp_assign_decode (const void *frame, size_t size, zp_assign_t *m)
{
    zp_cbor_reader_t r;
    memset (m, 0, sizeof *m);
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_ASSIGN, S_ASSIGN_FIELDS));
    ZP_READ_U (&r, UINT64_MAX, m->job);
    ZP_READ_U (&r, UINT32_MAX - 1, m->worker);
    ZP_READ_U (&r, UINT32_MAX - 1, m->n_workers);
    if (m->worker >= m->n_workers)
        return ZP_ERANGE;
    ZP_READ_U (&r, ZP_MAX_VERTICES, m->n_vertices);
    S_TRY (s_bool (&r, &m->directed));
    S_TRY (s_text (&r, &m->program, &m->program_len));
    S_TRY (s_typed_any (&r, ZP_TAG_U64LE, 8, &m->n_params, &m->params));
    S_TRY (s_typed (&r, ZP_TAG_U32LE, 4, (size_t) m->n_workers + 1, &m->ranges));
    uint32_t lo = zp_load_u32 (m->ranges + 4 * m->worker);
    uint32_t hi = zp_load_u32 (m->ranges + 4 * (m->worker + 1));
    if (hi < lo || hi > m->n_vertices)
        return ZP_ERANGE;
    size_t n = hi - lo;
    S_TRY (s_typed (&r, ZP_TAG_U64LE, 8, n, &m->ids));
    S_TRY (s_typed (&r, ZP_TAG_U64LE, 8, n + 1, &m->out_offsets));
    S_TRY (s_typed_any (&r, ZP_TAG_U32LE, 4, &m->n_edges, &m->out_targets));
    S_TRY (s_typed_opt (&r, ZP_TAG_F64LE, 8, m->n_edges, &m->out_weights));
    if (zp_cbor_read_null (&r)) {
        if (!zp_cbor_read_null (&r))
            return ZP_ETYPE;
    } else {
        S_TRY (s_typed (&r, ZP_TAG_U64LE, 8, n + 1, &m->in_offsets));
        S_TRY (s_typed_any (&r, ZP_TAG_U32LE, 4, &m->n_in_edges, &m->in_targets));
    }
    size_t peers;
    if (zp_cbor_read_array (&r, &peers) != 0)
        return ZP_ETYPE;
    if (peers != m->n_workers)
        return ZP_ECOUNT;
    m->peers_reader = r;
    S_TRY (s_texts (&r, peers));
    size_t routers;
    if (zp_cbor_read_array (&r, &routers) != 0)
        return ZP_ETYPE;
    if (routers > 65536)
        return ZP_ERANGE;
    m->n_routers = (uint32_t) routers;
    m->routers_reader = r;
    S_TRY (s_texts (&r, routers));
    S_TRY (s_read_keys (&r, (size_t) m->n_workers + m->n_routers, &m->keys));
    S_TRY (s_typed_opt (&r, ZP_TAG_F64LE, 8, n, &m->vertex_values));
    S_TRY (s_read_settings (&r, &m->settings));
    return zp_frame_end (&r);
}

int zp_assign_next_router (zp_assign_t *m, const char **endpoint, size_t *len)
{
    return zp_cbor_read_text (&m->routers_reader, endpoint, len);
}

/* ROUTE: [kind, version, job, router, n_workers, n_routers, program, [workers], keys,
           settings] */
int zp_route_encode (const zp_route_msg_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_ROUTE, 10);
    zp_cbor_write_uint (out, m->job);
    zp_cbor_write_uint (out, m->router);
    zp_cbor_write_uint (out, m->n_workers);
    zp_cbor_write_uint (out, m->n_routers);
    zp_cbor_write_text (out, m->program);
    zp_cbor_write_array (out, m->n_workers);
    for (uint32_t i = 0; i < m->n_workers; i++)
        zp_cbor_write_text (out, m->workers[i]);
    s_write_keys (out, m->keys, (size_t) m->n_workers + m->n_routers);
    s_write_settings (out, &m->settings);
    return s_done (out);
}

int zp_route_decode (const void *frame, size_t size, zp_route_msg_t *m)
{
    zp_cbor_reader_t r;
    memset (m, 0, sizeof *m);
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_ROUTE, 10));
    ZP_READ_U (&r, UINT64_MAX, m->job);
    ZP_READ_U (&r, 65535, m->router);
    ZP_READ_U (&r, UINT32_MAX - 1, m->n_workers);
    ZP_READ_U (&r, 65536, m->n_routers);
    if (m->router >= m->n_routers)
        return ZP_ERANGE;
    S_TRY (s_text (&r, &m->program, &m->program_len));
    size_t workers;
    if (zp_cbor_read_array (&r, &workers) != 0)
        return ZP_ETYPE;
    if (workers != m->n_workers)
        return ZP_ECOUNT;
    m->workers_reader = r;
    S_TRY (s_texts (&r, workers));
    S_TRY (s_read_keys (&r, (size_t) m->n_workers + m->n_routers, &m->keys));
    S_TRY (s_read_settings (&r, &m->settings));
    return zp_frame_end (&r);
}

int zp_route_next_worker (zp_route_msg_t *m, const char **endpoint, size_t *len)
{
    return zp_cbor_read_text (&m->workers_reader, endpoint, len);
}

/* MERGED: [kind, version, router, step, dst, in, out] */
int zp_merged_encode (const zp_merged_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_MERGED, 7);
    zp_cbor_write_uint (out, m->router);
    zp_cbor_write_uint (out, m->step);
    zp_cbor_write_uint (out, m->dst);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, m->in, (size_t) m->n_workers * 8);
    zp_cbor_write_uint (out, m->out);
    return s_done (out);
}

int zp_merged_decode (const void *frame, size_t size, zp_merged_t *m)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_MERGED, 7));
    ZP_READ_U (&r, 65535, m->router);
    ZP_READ_U (&r, UINT32_MAX, m->step);
    ZP_READ_U (&r, UINT32_MAX - 1, m->dst);
    size_t n;
    S_TRY (s_typed_any (&r, ZP_TAG_U64LE, 8, &n, &m->in));
    if (n > UINT32_MAX - 1)
        return ZP_ERANGE;
    m->n_workers = (uint32_t) n;
    ZP_READ_U (&r, UINT64_MAX, m->out);
    return zp_frame_end (&r);
}

/* RSTATS: [kind, version, router, frames_in, frames_out, messages_in, messages_out] */
int zp_rstats_encode (const zp_rstats_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_RSTATS, 8);
    zp_cbor_write_uint (out, m->router);
    zp_cbor_write_uint (out, m->frames_in);
    zp_cbor_write_uint (out, m->frames_out);
    zp_cbor_write_uint (out, m->messages_in);
    zp_cbor_write_uint (out, m->messages_out);
    zp_cbor_write_uint (out, m->resent);
    return s_done (out);
}

int zp_rstats_decode (const void *frame, size_t size, zp_rstats_t *m)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_RSTATS, 8));
    ZP_READ_U (&r, 65535, m->router);
    ZP_READ_U (&r, UINT64_MAX, m->frames_in);
    ZP_READ_U (&r, UINT64_MAX, m->frames_out);
    ZP_READ_U (&r, UINT64_MAX, m->messages_in);
    ZP_READ_U (&r, UINT64_MAX, m->messages_out);
    ZP_READ_U (&r, UINT64_MAX, m->resent);
    return zp_frame_end (&r);
}

int zp_assign_next_peer (zp_assign_t *m, const char **endpoint, size_t *len)
{
    return zp_cbor_read_text (&m->peers_reader, endpoint, len);
}

/* READY: [kind, version, worker, seen_seq] */
int zp_ready_encode (const zp_ready_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_READY, 4);
    zp_cbor_write_uint (out, m->worker);
    zp_cbor_write_uint (out, m->seen_seq);
    return s_done (out);
}

int zp_ready_decode (const void *frame, size_t size, zp_ready_t *m)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_READY, 4));
    ZP_READ_U (&r, UINT32_MAX, m->worker);
    ZP_READ_U (&r, UINT64_MAX, m->seen_seq);
    return zp_frame_end (&r);
}

/* PING: [kind, version, step, progress] */
int zp_ping_encode (const zp_ping_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_PING, 4);
    zp_cbor_write_uint (out, m->step);
    zp_cbor_write_uint (out, m->progress);
    return s_done (out);
}

int zp_ping_decode (const void *frame, size_t size, zp_ping_t *m)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_PING, 4));
    ZP_READ_U (&r, UINT32_MAX, m->step);
    ZP_READ_U (&r, UINT64_MAX, m->progress);
    return zp_frame_end (&r);
}

/* DONE: [kind, version, worker, step, active, messages, bytes, batches, seconds,
          n_workers, sent, sent_bytes, received, aggregates, retries, duplicates,
          mirrored] */
int zp_done_encode (const zp_done_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_DONE, 18);
    zp_cbor_write_uint (out, m->worker);
    zp_cbor_write_uint (out, m->step);
    zp_cbor_write_uint (out, m->active);
    zp_cbor_write_uint (out, m->messages);
    zp_cbor_write_uint (out, m->bytes);
    zp_cbor_write_uint (out, m->batches);
    zp_cbor_write_double (out, m->compute_seconds);
    zp_cbor_write_double (out, m->send_wait_seconds);
    zp_cbor_write_uint (out, m->n_workers);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, m->sent, m->n_workers * 8);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, m->sent_bytes, m->n_workers * 8);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, m->received, m->n_received * 8);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, m->aggregates, m->n_aggregates * 8);
    zp_cbor_write_uint (out, m->retries);
    zp_cbor_write_uint (out, m->duplicates);
    zp_cbor_write_uint (out, m->mirrored);
    return s_done (out);
}

int zp_done_decode (const void *frame, size_t size, zp_done_t *m)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_DONE, 18));
    ZP_READ_U (&r, UINT32_MAX, m->worker);
    ZP_READ_U (&r, UINT32_MAX, m->step);
    ZP_READ_U (&r, UINT64_MAX, m->active);
    ZP_READ_U (&r, UINT64_MAX, m->messages);
    ZP_READ_U (&r, UINT64_MAX, m->bytes);
    ZP_READ_U (&r, UINT64_MAX, m->batches);
    S_TRY (s_double (&r, &m->compute_seconds));
    S_TRY (s_double (&r, &m->send_wait_seconds));
    ZP_READ_U (&r, UINT32_MAX, m->n_workers);
    S_TRY (s_typed (&r, ZP_TAG_U64LE, 8, m->n_workers, &m->sent));
    S_TRY (s_typed (&r, ZP_TAG_U64LE, 8, m->n_workers, &m->sent_bytes));
    S_TRY (s_typed_any (&r, ZP_TAG_U64LE, 8, &m->n_received, &m->received));
    if (m->n_received < m->n_workers)
        return ZP_ECOUNT;
    S_TRY (s_typed_any (&r, ZP_TAG_U64LE, 8, &m->n_aggregates, &m->aggregates));
    ZP_READ_U (&r, UINT64_MAX, m->retries);
    ZP_READ_U (&r, UINT64_MAX, m->duplicates);
    ZP_READ_U (&r, UINT64_MAX, m->mirrored);
    return zp_frame_end (&r);
}

/* RESULT: [kind, version, worker, values] */
int zp_result_encode (const zp_result_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_RESULT, 4);
    zp_cbor_write_uint (out, m->worker);
    zp_cbor_write_typed (out, ZP_TAG_U64LE, m->values, m->count * 8);
    return s_done (out);
}

int zp_result_decode (const void *frame, size_t size, zp_result_t *m)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_RESULT, 4));
    ZP_READ_U (&r, UINT32_MAX, m->worker);
    S_TRY (s_typed_any (&r, ZP_TAG_U64LE, 8, &m->count, &m->values));
    return zp_frame_end (&r);
}

/* FAIL: [kind, version, worker, text] */
int zp_fail_encode (const zp_fail_t *m, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_FAIL, 4);
    zp_cbor_write_uint (out, m->worker);
    zp_cbor_write_text (out, m->text);
    return s_done (out);
}

int zp_fail_decode (const void *frame, size_t size, zp_fail_t *m)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_FAIL, 4));
    ZP_READ_U (&r, UINT32_MAX, m->worker);
    S_TRY (s_text (&r, &m->text, &m->text_len));
    return zp_frame_end (&r);
}

/* BYE: [kind, version, status, reason] */
int zp_bye_encode (uint32_t status, const char *reason, zp_cbor_writer_t *out)
{
    zp_frame_write_begin (out, ZP_MSG_BYE, 4);
    zp_cbor_write_uint (out, status);
    zp_cbor_write_text (out, reason ? reason : "");
    return s_done (out);
}

int zp_bye_decode (const void *frame, size_t size, uint32_t *status, const char **reason,
                   size_t *reason_len)
{
    zp_cbor_reader_t r;
    S_TRY (zp_frame_begin (&r, frame, size, ZP_MSG_BYE, 4));
    ZP_READ_U (&r, ZP_STATUS_LOST, *status);
    S_TRY (s_text (&r, reason, reason_len));
    return zp_frame_end (&r);
}

/* SYNC:      [kind, version, seq, control]
   BEGIN:     [kind, version, seq, step, plan_version, aggregates, active, messages]
   TERMINATE: [kind, version, seq, step, status, active, messages]
   HEARTBEAT: [kind, version, seq, step, control] */
int zp_broadcast_encode (const zp_broadcast_t *m, zp_cbor_writer_t *out)
{
    switch (m->kind) {
    case ZP_MSG_SYNC:
        zp_frame_write_begin (out, m->kind, 4);
        zp_cbor_write_uint (out, m->seq);
        zp_cbor_write_text (out, m->control ? m->control : "");
        break;
    case ZP_MSG_BEGIN:
        zp_frame_write_begin (out, m->kind, 10);
        zp_cbor_write_uint (out, m->seq);
        zp_cbor_write_uint (out, m->step);
        zp_cbor_write_uint (out, m->plan_version);
        zp_cbor_write_typed (out, ZP_TAG_U64LE, m->aggregates, m->n_aggregates * 8);
        zp_cbor_write_uint (out, m->active);
        zp_cbor_write_uint (out, m->messages);
        zp_cbor_write_text (out, m->slowest ? m->slowest : "");
        zp_cbor_write_double (out, m->slowest_seconds);
        break;
    case ZP_MSG_TERMINATE:
        zp_frame_write_begin (out, m->kind, 10);
        zp_cbor_write_uint (out, m->seq);
        zp_cbor_write_uint (out, m->step);
        zp_cbor_write_uint (out, m->status);
        zp_cbor_write_uint (out, m->active);
        zp_cbor_write_uint (out, m->messages);
        zp_cbor_write_text (out, m->reason ? m->reason : "");
        zp_cbor_write_text (out, m->slowest ? m->slowest : "");
        zp_cbor_write_double (out, m->slowest_seconds);
        break;
    case ZP_MSG_CHECKPOINT:
        zp_frame_write_begin (out, m->kind, 4);
        zp_cbor_write_uint (out, m->seq);
        zp_cbor_write_uint (out, m->step);
        break;
    case ZP_MSG_HEARTBEAT:
        zp_frame_write_begin (out, m->kind, 5);
        zp_cbor_write_uint (out, m->seq);
        zp_cbor_write_uint (out, m->step);
        zp_cbor_write_text (out, m->control ? m->control : "");
        break;
    case ZP_MSG_PLAN:
        zp_frame_write_begin (out, m->kind, 6);
        zp_cbor_write_uint (out, m->seq);
        zp_cbor_write_uint (out, m->plan_version);
        zp_cbor_write_uint (out, m->n_workers);
        zp_cbor_write_typed (out, ZP_TAG_U32LE, m->routes,
                             (size_t) m->n_workers * m->n_workers * 4);
        break;
    default:
        return -1;
    }
    return s_done (out);
}

int zp_broadcast_decode (const void *frame, size_t size, zp_broadcast_t *m)
{
    memset (m, 0, sizeof *m);
    int kind = zp_frame_kind (frame, size);
    zp_cbor_reader_t r;
    switch (kind) {
    case ZP_MSG_SYNC:
        S_TRY (zp_frame_begin (&r, frame, size, kind, 4));
        ZP_READ_U (&r, UINT64_MAX, m->seq);
        S_TRY (s_text (&r, &m->control, &m->control_len));
        break;
    case ZP_MSG_BEGIN:
        S_TRY (zp_frame_begin (&r, frame, size, kind, 10));
        ZP_READ_U (&r, UINT64_MAX, m->seq);
        ZP_READ_U (&r, UINT32_MAX, m->step);
        ZP_READ_U (&r, UINT64_MAX, m->plan_version);
        S_TRY (s_typed_any (&r, ZP_TAG_U64LE, 8, &m->n_aggregates, &m->aggregates));
        ZP_READ_U (&r, UINT64_MAX, m->active);
        ZP_READ_U (&r, UINT64_MAX, m->messages);
        S_TRY (s_text (&r, &m->slowest, &m->slowest_len));
        S_TRY (s_double (&r, &m->slowest_seconds));
        break;
    case ZP_MSG_TERMINATE:
        S_TRY (zp_frame_begin (&r, frame, size, kind, 10));
        ZP_READ_U (&r, UINT64_MAX, m->seq);
        ZP_READ_U (&r, UINT32_MAX, m->step);
        ZP_READ_U (&r, ZP_STATUS_LOST, m->status);
        ZP_READ_U (&r, UINT64_MAX, m->active);
        ZP_READ_U (&r, UINT64_MAX, m->messages);
        S_TRY (s_text (&r, &m->reason, &m->reason_len));
        S_TRY (s_text (&r, &m->slowest, &m->slowest_len));
        S_TRY (s_double (&r, &m->slowest_seconds));
        break;
    case ZP_MSG_CHECKPOINT:
        S_TRY (zp_frame_begin (&r, frame, size, kind, 4));
        ZP_READ_U (&r, UINT64_MAX, m->seq);
        ZP_READ_U (&r, UINT32_MAX, m->step);
        break;
    case ZP_MSG_HEARTBEAT:
        S_TRY (zp_frame_begin (&r, frame, size, kind, 5));
        ZP_READ_U (&r, UINT64_MAX, m->seq);
        ZP_READ_U (&r, UINT32_MAX, m->step);
        S_TRY (s_text (&r, &m->control, &m->control_len));
        break;
    case ZP_MSG_PLAN:
        S_TRY (zp_frame_begin (&r, frame, size, kind, 6));
        ZP_READ_U (&r, UINT64_MAX, m->seq);
        ZP_READ_U (&r, UINT64_MAX, m->plan_version);
        ZP_READ_U (&r, 65536, m->n_workers);
        S_TRY (s_typed (&r, ZP_TAG_U32LE, 4, (size_t) m->n_workers * m->n_workers, &m->routes));
        break;
    default: {
        /* Tell a malformed frame from a well-formed one of another kind. */
        int rc = zp_frame_begin (&r, frame, size, -1, 0);
        return rc == 0 || rc == ZP_ECOUNT ? ZP_EKIND : rc;
    }
    }
    m->kind = (zp_msg_kind_t) kind;
    return zp_frame_end (&r);
}

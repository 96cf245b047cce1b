/*  zp_worker: the worker node.

    One zpoller loop over: the actor pipe, the control DEALER (ASSIGN, BYE),
    the broadcast SUB (SYNC, BEGIN, TERMINATE), the data ROUTER (batches from
    peers, which we ACK) and one DEALER per peer (ACKs of our batches).

    Batches received for a superstep are kept as raw frames until the BEGIN of
    the next superstep, then decoded and delivered in (source, sequence)
    order: the inbox never depends on arrival order, so runs are
    deterministic. A batch is ACKed once it is stored; a duplicate is ACKed
    again and dropped. DONE goes to the master only when every batch we sent
    in the superstep is ACKed, so when the master has every DONE, every
    message of the superstep has been delivered: that is the barrier.

    Sending waits for room on the peer's socket (ZMQ_POLLOUT) and, while it
    waits, keeps serving its own data socket, so two workers flooding each
    other cannot deadlock and a slow receiver slows its senders down.
*/
#include "zpregel/zp_worker.h"
#include "zpregel/zp_batch.h"
#include "zpregel/zp_control.h"
#include "zpregel/zp_wire.h"
#include "../lib/zp_partition.h"

#include <errno.h>
#include <stdlib.h>

#define S_NO_STEP UINT32_MAX

typedef struct {
    uint32_t step;
    uint32_t src;
    uint64_t seq;
    zp_wire_msg_t msg;
} s_stored_t;

/* Sequence numbers received from one peer: all below `next`, plus `ahead`. */
typedef struct {
    uint64_t next;
    uint64_t *ahead;
    size_t n_ahead, cap_ahead;
} s_rx_t;

typedef struct {
    zsock_t *sock;
    zp_compress_t *z;
    uint64_t next_seq;
    uint64_t *outstanding;
    size_t n_outstanding, cap_outstanding;
    uint64_t bytes; /* this superstep */
    uint64_t batches;
} s_peer_t;

typedef enum {
    S_JOINING,
    S_ASSIGNED,
    S_IDLE,
    S_COMPUTING,
    S_WAIT_ACKS,
    S_FINISHING,
    S_FAILED
} s_state_t;

typedef struct {
    zsock_t *pipe, *control, *bcast, *data;
    zpoller_t *poller;
    zp_worker_args_t args;
    s_state_t state;
    bool seen_broadcast, ready_sent, stop, failed;
    uint64_t next_seq; /* the next broadcast to handle */
    s_stored_t *early; /* broadcasts that arrived before next_seq, by seq in .seq */
    size_t n_early, cap_early;
    int64_t replay_asked; /* when we last asked for the gap, or 0 */
    size_t n_endpoints;
    char *endpoints[2];
    zp_partition_t *partition;
    const zp_program_t *program;
    uint64_t job;
    uint32_t worker, n_workers;
    uint32_t step;
    s_peer_t *peers;
    s_rx_t *rx;
    zp_compress_t *rx_z;
    s_stored_t *stored;
    size_t n_stored, cap_stored;
    uint64_t unacked;
    zp_step_stats_t stats;
    double compute_seconds;
    zp_cbor_writer_t w;  /* control frames */
    zp_cbor_writer_t bw; /* batches */
    uint64_t bad_frames;
} self_t;

static void s_log (self_t *self, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (msg, sizeof msg, fmt, ap);
    va_end (ap);
    zsys_error ("worker %s: %s", self->args.name, msg);
}

static int s_send_control (self_t *self)
{
    if (zp_wire_send (self->control, NULL, &self->w, false) != 0) {
        s_log (self, "cannot send to the master: %s", zmq_strerror (errno));
        return -1;
    }
    return 0;
}

static void s_fail (self_t *self, const char *text)
{
    s_log (self, "%s", text);
    zp_fail_t fail = {self->worker, text, strlen (text)};
    if (zp_fail_encode (&fail, &self->w) == 0)
        s_send_control (self);
    self->state = S_FAILED;
    self->failed = true;
}

/* Appends v to a growable array; -1 if memory ran out. */
static int s_push_u64 (uint64_t **data, size_t *n, size_t *cap, uint64_t v)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 16;
        uint64_t *grown = realloc (*data, grown_cap * sizeof *grown);
        if (!grown)
            return -1;
        *data = grown;
        *cap = grown_cap;
    }
    (*data)[(*n)++] = v;
    return 0;
}

/* Dedup: 1 if `seq` from src is new (and records it), 0 if already seen. */
static int s_rx_accept (s_rx_t *rx, uint64_t seq)
{
    if (seq < rx->next)
        return 0;
    for (size_t i = 0; i < rx->n_ahead; i++)
        if (rx->ahead[i] == seq)
            return 0;
    if (seq == rx->next) {
        rx->next++;
        /* Absorb any that were ahead. */
        for (bool moved = true; moved;) {
            moved = false;
            for (size_t i = 0; i < rx->n_ahead; i++)
                if (rx->ahead[i] == rx->next) {
                    rx->ahead[i] = rx->ahead[--rx->n_ahead];
                    rx->next++;
                    moved = true;
                }
        }
        return 1;
    }
    return s_push_u64 (&rx->ahead, &rx->n_ahead, &rx->cap_ahead, seq) == 0 ? 1 : -1;
}

static void s_on_batch (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->data, true, &msg) != 0) {
        if (errno == EPROTO)
            self->bad_frames++;
        return;
    }
    char who[128];
    zp_batch_view_t view;
    int rc = self->partition
                 ? zp_batch_decode (zp_wire_data (&msg), zp_wire_size (&msg), self->rx_z, &view)
                 : ZP_EKIND;
    if (rc == 0)
        rc = zp_partition_check_batch (self->partition, &view);
    uint32_t step = view.header.step;
    if (rc == 0 && step != self->step && step != self->step + 1)
        rc = ZP_ERANGE;
    if (rc != 0) {
        zp_wire_identity_text (&msg.identity, who, sizeof who);
        s_log (self, "dropped a bad batch from peer %s: %s", who, zp_frame_strerror (rc));
        self->bad_frames++;
        zp_wire_close (&msg);
        return;
    }
    zp_ack_t ack = {view.header.job, step, view.header.src, view.header.dst, view.header.seq};
    int fresh = s_rx_accept (&self->rx[view.header.src], view.header.seq);
    if (fresh > 0) {
        if (self->n_stored == self->cap_stored) {
            size_t cap = self->cap_stored ? self->cap_stored * 2 : 64;
            s_stored_t *grown = realloc (self->stored, cap * sizeof *grown);
            if (!grown) {
                zp_wire_close (&msg);
                return; /* not ACKed: the sender keeps it */
            }
            self->stored = grown;
            self->cap_stored = cap;
        }
        s_stored_t *s = &self->stored[self->n_stored++];
        s->step = step;
        s->src = view.header.src;
        s->seq = view.header.seq;
        s->msg = msg;
    }
    zp_cbor_writer_t aw;
    zp_cbor_writer_init (&aw, 64);
    if (zp_ack_encode (&ack, &aw) == 0)
        zp_wire_send (self->data, &msg.identity, &aw, false);
    zp_cbor_writer_free (&aw);
    if (fresh <= 0)
        zp_wire_close (&msg);
}

static void s_send_done (self_t *self);

static void s_on_ack (self_t *self, uint32_t peer)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->peers[peer].sock, false, &msg) != 0)
        return;
    zp_ack_t ack;
    int rc = zp_ack_decode (zp_wire_data (&msg), zp_wire_size (&msg), &ack);
    zp_wire_close (&msg);
    if (rc != 0 || ack.job != self->job || ack.src != self->worker || ack.dst != peer) {
        s_log (self, "dropped a bad ACK from worker %u: %s", peer,
               rc ? zp_frame_strerror (rc) : "not ours");
        self->bad_frames++;
        return;
    }
    s_peer_t *p = &self->peers[peer];
    for (size_t i = 0; i < p->n_outstanding; i++)
        if (p->outstanding[i] == ack.seq) {
            p->outstanding[i] = p->outstanding[--p->n_outstanding];
            self->unacked--;
            break;
        }
    if (self->state == S_WAIT_ACKS && self->unacked == 0)
        s_send_done (self);
}

/* Serves incoming batches and ACKs for up to `timeout_ms`. */
static void s_service (self_t *self, int timeout_ms)
{
    uint32_t n = self->n_workers;
    zmq_pollitem_t items[1 + n];
    items[0] = (zmq_pollitem_t){zsock_resolve (self->data), 0, ZMQ_POLLIN, 0};
    for (uint32_t i = 0; i < n; i++)
        items[1 + i] =
            (zmq_pollitem_t){self->peers[i].sock ? zsock_resolve (self->peers[i].sock) : NULL, 0,
                             self->peers[i].sock ? ZMQ_POLLIN : 0, 0};
    if (zmq_poll (items, (int) n + 1, timeout_ms) <= 0)
        return;
    if (items[0].revents & ZMQ_POLLIN)
        s_on_batch (self);
    for (uint32_t i = 0; i < n; i++)
        if (items[1 + i].revents & ZMQ_POLLIN)
            s_on_ack (self, i);
}

/* The partition's flush callback: number, encode and send one batch. */
static int s_flush (void *ctx, uint32_t dst, const zp_batch_out_t *batch)
{
    self_t *self = ctx;
    s_peer_t *p = &self->peers[dst];
    const zp_settings_t *set = zp_partition_settings (self->partition);
    zp_batch_out_t out = *batch;
    out.header.seq = p->next_seq++;
    if (zp_batch_encode (&out, p->z, set->compress_min, &self->bw) != 0)
        return -1;
    size_t size = self->bw.size;
    /* Back-pressure: wait for room, serving our own socket meanwhile. The
       wait is bounded by the job: a stuck peer is the master's to detect. */
    while (!(zsock_events (p->sock) & ZMQ_POLLOUT)) {
        s_service (self, 10);
        if (zsys_interrupted)
            return -1;
    }
    if (zp_wire_send (p->sock, NULL, &self->bw, false) != 0)
        return -1;
    if (s_push_u64 (&p->outstanding, &p->n_outstanding, &p->cap_outstanding, out.header.seq) != 0)
        return -1;
    self->unacked++;
    p->bytes += size;
    p->batches++;
    /* Let ACKs and incoming batches flow while we compute. */
    s_service (self, 0);
    return 0;
}

static void s_send_done (self_t *self)
{
    uint32_t n = self->n_workers;
    uint64_t sent_bytes[n];
    uint64_t bytes = 0, batches = 0;
    for (uint32_t i = 0; i < n; i++) {
        sent_bytes[i] = self->peers[i].bytes;
        bytes += self->peers[i].bytes;
        batches += self->peers[i].batches;
    }
    uint64_t aggs[ZP_MAX_AGGREGATORS];
    for (size_t i = 0; i < ZP_MAX_AGGREGATORS; i++)
        aggs[i] = self->stats.aggregates[i].bits;
    zp_done_t done = {.worker = self->worker,
                      .step = self->step,
                      .active = self->stats.active,
                      .messages = self->stats.messages,
                      .bytes = bytes,
                      .batches = batches,
                      .compute_seconds = self->compute_seconds,
                      .n_workers = n,
                      .sent = (const uint8_t *) self->stats.sent,
                      .sent_bytes = (const uint8_t *) sent_bytes,
                      .received = (const uint8_t *) self->stats.received,
                      .n_aggregates = self->program->n_aggregators,
                      .aggregates = (const uint8_t *) aggs};
    if (zp_done_encode (&done, &self->w) == 0)
        s_send_control (self);
    self->state = S_IDLE;
}

static int s_cmp_stored (const void *a, const void *b)
{
    const s_stored_t *x = a, *y = b;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void s_begin (self_t *self, const zp_broadcast_t *b)
{
    if (self->state != S_IDLE) {
        s_log (self, "BEGIN %u while not idle: ignored", b->step);
        return;
    }
    self->step = b->step;
    zp_partition_begin (self->partition, b->step, b->aggregates, b->n_aggregates);
    /* Deliver last superstep's batches in (source, sequence) order. */
    if (self->n_stored)
        qsort (self->stored, self->n_stored, sizeof *self->stored, s_cmp_stored);
    size_t kept = 0;
    for (size_t i = 0; i < self->n_stored; i++) {
        s_stored_t *s = &self->stored[i];
        if (s->step + 1 == b->step) {
            zp_batch_view_t view;
            int rc =
                zp_batch_decode (zp_wire_data (&s->msg), zp_wire_size (&s->msg), self->rx_z, &view);
            if (rc == 0)
                rc = zp_partition_deliver (self->partition, &view);
            zp_wire_close (&s->msg);
            if (rc != 0) {
                s_fail (self, "cannot deliver a stored batch (out of memory)");
                return;
            }
        } else if (s->step + 1 < b->step) {
            zp_wire_close (&s->msg); /* stale: cannot happen unless a peer misbehaves */
        } else
            self->stored[kept++] = *s;
    }
    self->n_stored = kept;
    for (uint32_t i = 0; i < self->n_workers; i++)
        self->peers[i].bytes = self->peers[i].batches = 0;
    /* ACKs served during compute must not end the superstep early. */
    self->state = S_COMPUTING;
    int64_t start = zclock_usecs ();
    int rc = zp_partition_compute (self->partition, s_flush, self, &self->stats);
    self->compute_seconds = (double) (zclock_usecs () - start) / 1e6;
    if (rc != 0) {
        s_fail (self, "superstep failed: a program error, or out of memory");
        return;
    }
    self->state = S_WAIT_ACKS;
    if (self->unacked == 0)
        s_send_done (self);
}

static void s_send_ready (self_t *self)
{
    zp_ready_t ready = {self->worker, self->next_seq};
    if (zp_ready_encode (&ready, &self->w) == 0 && s_send_control (self) == 0) {
        self->ready_sent = true;
        self->state = S_IDLE;
    }
}

/* Whether batches to `endpoint` are compressed: always (1), never (2), or
   in auto mode (0) on tcp links that leave this host, where the network and
   not the CPU is the bottleneck. */
static bool s_compress_link (uint32_t mode, const char *endpoint)
{
    if (mode != 0)
        return mode == 1;
    return strncmp (endpoint, "tcp://", 6) == 0 && strncmp (endpoint, "tcp://127.", 10) != 0 &&
           strncmp (endpoint, "tcp://localhost:", 16) != 0 &&
           strncmp (endpoint, "tcp://[::1]", 11) != 0;
}

static void s_on_assign (self_t *self, const void *frame, size_t size)
{
    zp_assign_t a;
    int rc = zp_assign_decode (frame, size, &a);
    char err[512];
    if (rc != 0) {
        snprintf (err, sizeof err, "bad ASSIGN from the master: %s", zp_frame_strerror (rc));
        s_fail (self, err);
        return;
    }
    char program[256];
    snprintf (program, sizeof program, "%.*s", (int) a.program_len, a.program);
    self->program = zp_program_load (program, err, sizeof err);
    if (!self->program) {
        s_fail (self, err);
        return;
    }
    self->job = a.job;
    self->worker = a.worker;
    self->n_workers = a.n_workers;
    self->partition = zp_partition_new (&a, self->program, err, sizeof err);
    if (!self->partition) {
        s_fail (self, err);
        return;
    }
    uint32_t n = a.n_workers;
    self->peers = calloc (n, sizeof *self->peers);
    self->rx = calloc (n, sizeof *self->rx);
    self->stats.sent = calloc (n, sizeof (uint64_t));
    self->stats.received = calloc (n, sizeof (uint64_t));
    self->rx_z = zp_compress_new ((int) a.settings.compress_level, (size_t) 1 << 31);
    if (!self->peers || !self->rx || !self->stats.sent || !self->stats.received || !self->rx_z) {
        s_fail (self, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *ep;
        size_t len;
        if (zp_assign_next_peer (&a, &ep, &len) != 0) {
            s_fail (self, "bad peer list in ASSIGN");
            return;
        }
        if (i == a.worker)
            continue;
        char endpoint[512];
        snprintf (endpoint, sizeof endpoint, "%.*s", (int) len, ep);
        s_peer_t *p = &self->peers[i];
        p->sock = zsock_new (ZMQ_DEALER);
        if (!p->sock) {
            s_fail (self, "cannot create a peer socket");
            return;
        }
        char identity[32];
        snprintf (identity, sizeof identity, "w%u", a.worker);
        zsock_set_identity (p->sock, identity);
        zsock_set_sndhwm (p->sock, 1000);
        if (zsock_connect (p->sock, "%s", endpoint) != 0) {
            snprintf (err, sizeof err, "cannot connect to peer %u at %.400s", i, endpoint);
            s_fail (self, err);
            return;
        }
        if (s_compress_link (a.settings.compress, endpoint) &&
            !(p->z = zp_compress_new ((int) a.settings.compress_level, (size_t) 1 << 31))) {
            s_fail (self, "out of memory");
            return;
        }
        zpoller_add (self->poller, p->sock);
    }
    self->state = S_ASSIGNED;
    if (self->seen_broadcast)
        s_send_ready (self);
}

static void s_send_result (self_t *self)
{
    zp_result_t result = {self->worker, zp_partition_size (self->partition),
                          (const uint8_t *) zp_partition_values (self->partition)};
    if (zp_result_encode (&result, &self->w) == 0)
        s_send_control (self);
    self->state = S_FINISHING;
}

/* Handles one broadcast, in sequence order. */
static void s_handle_broadcast (self_t *self, const zp_broadcast_t *b)
{
    if (b->kind == ZP_MSG_SYNC) {
        if (self->state == S_ASSIGNED && !self->ready_sent)
            s_send_ready (self);
    } else if (b->kind == ZP_MSG_BEGIN && self->partition) {
        s_begin (self, b);
    } else if (b->kind == ZP_MSG_TERMINATE) {
        if (b->status == 0 && self->partition && self->state == S_IDLE)
            s_send_result (self);
        else {
            self->state = S_FINISHING;
            if (b->status != 0)
                self->failed = true;
        }
    }
}

/* Keeps an early broadcast until the ones before it arrive (drops duplicates). */
static void s_keep_early (self_t *self, uint64_t seq, zp_wire_msg_t *msg)
{
    for (size_t i = 0; i < self->n_early; i++)
        if (self->early[i].seq == seq) {
            zp_wire_close (msg);
            return;
        }
    if (self->n_early == self->cap_early) {
        size_t cap = self->cap_early ? self->cap_early * 2 : 16;
        s_stored_t *grown = realloc (self->early, cap * sizeof *grown);
        if (!grown) {
            zp_wire_close (msg); /* replay will bring it again */
            return;
        }
        self->early = grown;
        self->cap_early = cap;
    }
    self->early[self->n_early++] = (s_stored_t){0, 0, seq, *msg};
}

/* The smallest sequence number among the early broadcasts. */
static uint64_t s_first_early (const self_t *self)
{
    uint64_t first = UINT64_MAX;
    for (size_t i = 0; i < self->n_early; i++)
        if (self->early[i].seq < first)
            first = self->early[i].seq;
    return first;
}

static void s_ask_replay (self_t *self, uint64_t to)
{
    zp_replay_t r = {self->next_seq, to};
    if (zp_replay_encode (&r, &self->w) == 0 && s_send_control (self) == 0)
        self->replay_asked = zclock_mono ();
}

/* Takes a broadcast frame (from the SUB, or replayed over control): handles
   it if it is the next one, keeps it if it is early, drops it if it is old. */
static void s_on_broadcast_frame (self_t *self, zp_wire_msg_t *msg)
{
    zp_broadcast_t b;
    int rc = zp_broadcast_decode (zp_wire_data (msg), zp_wire_size (msg), &b);
    if (rc != 0) {
        s_log (self, "dropped a bad broadcast: %s", zp_frame_strerror (rc));
        self->bad_frames++;
        zp_wire_close (msg);
        return;
    }
    if (!self->seen_broadcast) {
        /* What was published before we subscribed does not concern us:
           BEGIN(0) comes only after our READY, which follows this. */
        self->seen_broadcast = true;
        self->next_seq = b.seq;
    }
    if (b.seq < self->next_seq) {
        zp_wire_close (msg);
        return;
    }
    if (b.seq > self->next_seq) {
        s_keep_early (self, b.seq, msg);
        if (!self->replay_asked || zclock_mono () - self->replay_asked > 500)
            s_ask_replay (self, b.seq - 1);
        return;
    }
    s_handle_broadcast (self, &b);
    zp_wire_close (msg);
    self->next_seq++;
    self->replay_asked = 0;
    /* Anything kept that is now next (one at a time: each may reveal the next). */
    for (size_t i = 0; i < self->n_early; i++)
        if (self->early[i].seq == self->next_seq) {
            zp_wire_msg_t next = self->early[i].msg;
            self->early[i] = self->early[--self->n_early];
            s_on_broadcast_frame (self, &next);
            return;
        }
}

static void s_on_broadcast (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->bcast, false, &msg) == 0)
        s_on_broadcast_frame (self, &msg);
}

static void s_on_control (self_t *self)
{
    zp_wire_msg_t msg;
    if (zp_wire_recv (self->control, false, &msg) != 0)
        return;
    const void *data = zp_wire_data (&msg);
    size_t size = zp_wire_size (&msg);
    int kind = zp_frame_kind (data, size);
    if (kind >= ZP_MSG_SYNC && kind <= ZP_MSG_HEARTBEAT) {
        s_on_broadcast_frame (self, &msg); /* replayed: takes the frame */
        return;
    }
    if (kind == ZP_MSG_ASSIGN && self->state == S_JOINING)
        s_on_assign (self, data, size);
    else if (kind == ZP_MSG_BYE && zp_bye_decode (data, size) == 0)
        self->stop = true;
    else {
        s_log (self, "dropped an unexpected control frame (kind %d)", kind);
        self->bad_frames++;
    }
    zp_wire_close (&msg);
}

static void s_destroy (self_t *self)
{
    zpoller_destroy (&self->poller);
    for (uint32_t i = 0; self->peers && i < self->n_workers; i++) {
        zsock_destroy (&self->peers[i].sock);
        zp_compress_destroy (&self->peers[i].z);
        free (self->peers[i].outstanding);
    }
    for (uint32_t i = 0; self->rx && i < self->n_workers; i++)
        free (self->rx[i].ahead);
    for (size_t i = 0; i < self->n_stored; i++)
        zp_wire_close (&self->stored[i].msg);
    free (self->stored);
    for (size_t i = 0; i < self->n_early; i++)
        zp_wire_close (&self->early[i].msg);
    free (self->early);
    for (size_t i = 0; i < self->n_endpoints; i++)
        zstr_free (&self->endpoints[i]);
    free (self->peers);
    free (self->rx);
    free (self->stats.sent);
    free (self->stats.received);
    zp_compress_destroy (&self->rx_z);
    zp_partition_destroy (&self->partition);
    zsock_destroy (&self->control);
    zsock_destroy (&self->bcast);
    zsock_destroy (&self->data);
    zp_cbor_writer_free (&self->w);
    zp_cbor_writer_free (&self->bw);
}

void zp_worker_actor (zsock_t *pipe, void *args)
{
    self_t self_s = {0}, *self = &self_s;
    self->pipe = pipe;
    self->args = *(zp_worker_args_t *) args;
    self->step = S_NO_STEP;
    zp_cbor_writer_init (&self->w, 256);
    zp_cbor_writer_init (&self->bw, 1 << 16);
    /* Subscribe before saying HELLO, so no broadcast after our HELLO is missed. */
    self->bcast = zsock_new_sub (self->args.broadcast, "");
    self->data = zsock_new (ZMQ_ROUTER);
    self->control = zsock_new (ZMQ_DEALER);
    bool ok = self->bcast && self->data && self->control;
    if (!ok)
        zsys_error ("worker %s: cannot create sockets", self->args.name);
    if (ok)
        zsock_set_router_mandatory (self->data, 1);
    for (int i = 0; ok && i < 2; i++) {
        if (!self->args.data[i])
            continue;
        if (zsock_bind (self->data, "%s", self->args.data[i]) < 0) {
            zsys_error ("worker %s: cannot bind its data socket to %s: %s", self->args.name,
                        self->args.data[i], zmq_strerror (zmq_errno ()));
            ok = false;
        } else
            self->endpoints[self->n_endpoints++] = zsock_last_endpoint (self->data);
    }
    if (ok) {
        zsock_set_identity (self->control, self->args.name);
        zsock_set_linger (self->control, 2000);
        if (zsock_connect (self->control, "%s", self->args.control) != 0) {
            zsys_error ("worker %s: cannot connect to %s", self->args.name, self->args.control);
            ok = false;
        }
    }
    if (!ok) {
        zsock_signal (pipe, 1);
        s_destroy (self);
        return;
    }
    self->poller = zpoller_new (pipe, self->control, self->bcast, self->data, NULL);
    zsock_signal (pipe, 0);

    zp_hello_t hello = {.role = ZP_ROLE_WORKER,
                        .name = self->args.name,
                        .n_endpoints = self->n_endpoints,
                        .locality = self->args.locality};
    for (size_t i = 0; i < self->n_endpoints; i++)
        hello.endpoints[i] = self->endpoints[i];
    if (zp_hello_encode (&hello, &self->w) == 0)
        s_send_control (self);

    int64_t deadline =
        zclock_mono () + (self->args.join_timeout_ms ? self->args.join_timeout_ms : 30000);
    while (!self->stop) {
        zsock_t *which = zpoller_wait (self->poller, 200);
        if (!which) {
            if (zpoller_terminated (self->poller))
                break;
            if (self->state == S_JOINING && zclock_mono () > deadline) {
                zsys_error (
                    "worker %s: no ASSIGN from the master at %s within %.1fs", self->args.name,
                    self->args.control,
                    (double) (self->args.join_timeout_ms ? self->args.join_timeout_ms : 30000) /
                        1000);
                self->failed = true;
                break;
            }
            if (self->n_early && zclock_mono () - self->replay_asked > 500)
                s_ask_replay (self, s_first_early (self) - 1);
            continue;
        }
        if (which == pipe) {
            char *cmd = zstr_recv (pipe);
            bool term = !cmd || streq (cmd, "$TERM");
            zstr_free (&cmd);
            if (term)
                break;
        } else if (which == self->control)
            s_on_control (self);
        else if (which == self->bcast)
            s_on_broadcast (self);
        else if (which == self->data)
            s_on_batch (self);
        else
            for (uint32_t i = 0; i < self->n_workers; i++)
                if (which == self->peers[i].sock)
                    s_on_ack (self, i);
    }
    bool failed = self->failed;
    s_destroy (self);
    if (self->args.report_exit)
        zstr_send (pipe, failed ? "FAILED" : "OK");
}
